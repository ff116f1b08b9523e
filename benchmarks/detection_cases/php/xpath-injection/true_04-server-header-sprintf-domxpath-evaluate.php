<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$doc = new DOMDocument();
$doc->load('users.xml');
$xpath = new DOMXPath($doc);

$value = sprintf('%s', $_SERVER['HTTP_X_Q']);
$count = $xpath->evaluate("count(//user[@role='" . $value . "'])");
