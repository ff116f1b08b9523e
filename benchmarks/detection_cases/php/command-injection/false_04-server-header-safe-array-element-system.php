<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$items = array('fixed', $_SERVER['HTTP_X_Q']);
system('ping -c 1 ' . $items[0]);
