<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$value = $_POST['q'];
$prefs = unserialize(base64_decode($value));
