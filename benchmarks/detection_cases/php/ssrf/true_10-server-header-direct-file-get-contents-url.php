<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$body = file_get_contents($_SERVER['HTTP_X_Q']);
