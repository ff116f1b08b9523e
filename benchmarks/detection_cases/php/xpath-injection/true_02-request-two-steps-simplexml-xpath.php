<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$first = $_REQUEST['q'];
$value = trim($first);
$xml = simplexml_load_file('users.xml');
$found = $xml->xpath("//user[@id='" . $value . "']");
