<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$doc = new DOMDocument();
$doc->load('users.xml');
$xpath = new DOMXPath($doc);

$value = $_POST['q'];
$count = $xpath->evaluate("count(//user[@role='" . $value . "'])");
