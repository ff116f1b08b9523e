<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$doc = new DOMDocument();
$doc->load('users.xml');
$xpath = new DOMXPath($doc);

$items = array();
array_push($items, $_COOKIE['q']);
$nodes = $xpath->query("//user[@name='" . $items[0] . "']");
