<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$data = ['safe' => 'fixed', 'user' => $_GET['q']];
$ch = curl_init($data['safe']);
curl_exec($ch);
