<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$data = ['safe' => 'fixed', 'user' => $_POST['q']];
$ch = curl_init();
curl_setopt($ch, CURLOPT_URL, $data['safe']);
curl_exec($ch);
