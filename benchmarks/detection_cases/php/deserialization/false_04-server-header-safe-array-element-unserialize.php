<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$items = array('fixed', $_SERVER['HTTP_X_Q']);
$prefs = unserialize($items[0]);
