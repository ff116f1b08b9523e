<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$value = '';
$value .= file_get_contents('php://input');
$ch = curl_init();
curl_setopt($ch, CURLOPT_URL, $value);
curl_exec($ch);
