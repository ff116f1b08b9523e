<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$doc = new DOMDocument();
$doc->load('users.xml');
$xpath = new DOMXPath($doc);

$items = array('fixed', file_get_contents('php://input'));
$count = $xpath->evaluate("count(//user[@role='" . $items[0] . "'])");
