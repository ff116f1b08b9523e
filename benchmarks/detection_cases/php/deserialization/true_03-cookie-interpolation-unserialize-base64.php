<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$raw = $_COOKIE['q'];
$value = "{$raw}";
$prefs = unserialize(base64_decode($value));
