<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$_SESSION['role'] = $_SERVER['HTTP_X_Q'];
