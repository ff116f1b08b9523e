<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$items = array();
array_push($items, $_COOKIE['q']);
$ch = curl_init();
curl_setopt($ch, CURLOPT_URL, $items[0]);
curl_exec($ch);
