<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$_SESSION['page'] = intval($_SERVER['HTTP_X_Q']);
