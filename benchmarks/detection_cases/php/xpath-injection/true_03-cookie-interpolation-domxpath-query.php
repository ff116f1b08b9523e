<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$doc = new DOMDocument();
$doc->load('users.xml');
$xpath = new DOMXPath($doc);

$raw = $_COOKIE['q'];
$value = "{$raw}";
$nodes = $xpath->query("//user[@name='" . $value . "']");
