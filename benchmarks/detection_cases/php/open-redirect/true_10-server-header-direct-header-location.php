<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

header('Location: ' . $_SERVER['HTTP_X_Q']);
exit;
