<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$unused = $_REQUEST['q'];
$prefs = unserialize('fixed');
