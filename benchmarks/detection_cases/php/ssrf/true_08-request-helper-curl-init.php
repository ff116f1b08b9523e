<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

function passthrough($text) {
    return trim($text);
}

$ch = curl_init(passthrough($_REQUEST['q']));
curl_exec($ch);
