<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$doc = new DOMDocument();
$doc->load('users.xml');
$xpath = new DOMXPath($doc);

$role = file_get_contents('php://input');
if (in_array($role, ['admin', 'user'], true)) {
    $nodes = $xpath->query("//user[@role='$role']");
}
