<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$value = file_get_contents('php://input');
$xml = simplexml_load_file('users.xml');
$found = $xml->xpath("//user[@id='" . $value . "']");
