<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$value = $_POST['q'];
$value = 'fixed';
$prefs = unserialize(base64_decode($value));
