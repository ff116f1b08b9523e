<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$unused = $_COOKIE['q'];
$prefs = unserialize(base64_decode('fixed'));
