<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$value = $_POST['q'];
$value = 'fixed';
$ch = curl_init();
curl_setopt($ch, CURLOPT_URL, $value);
curl_exec($ch);
