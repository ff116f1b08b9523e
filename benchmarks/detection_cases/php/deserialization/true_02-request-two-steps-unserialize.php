<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$first = $_REQUEST['q'];
$value = trim($first);
$prefs = unserialize($value);
