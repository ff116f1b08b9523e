<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

function passthrough($text) {
    return trim($text);
}

$xml = simplexml_load_file('users.xml');
$found = $xml->xpath("//user[@id='" . passthrough($_REQUEST['q']) . "']");
