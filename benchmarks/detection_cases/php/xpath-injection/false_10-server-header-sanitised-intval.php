<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$doc = new DOMDocument();
$doc->load('users.xml');
$xpath = new DOMXPath($doc);

$nodes = $xpath->query('//user[@id=' . intval($_SERVER['HTTP_X_Q']) . ']');
