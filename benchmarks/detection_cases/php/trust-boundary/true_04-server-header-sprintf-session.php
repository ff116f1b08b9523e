<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$value = sprintf('%s', $_SERVER['HTTP_X_Q']);
$_SESSION['role'] = $value;
