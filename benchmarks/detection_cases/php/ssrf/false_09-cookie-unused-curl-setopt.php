<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$unused = $_COOKIE['q'];
$ch = curl_init();
curl_setopt($ch, CURLOPT_URL, 'fixed');
curl_exec($ch);
