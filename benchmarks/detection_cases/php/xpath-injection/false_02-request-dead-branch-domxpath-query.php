<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$doc = new DOMDocument();
$doc->load('users.xml');
$xpath = new DOMXPath($doc);

$value = 'fixed';
if (false) {
    $value = $_REQUEST['q'];
}
$nodes = $xpath->query("//user[@name='" . $value . "']");
