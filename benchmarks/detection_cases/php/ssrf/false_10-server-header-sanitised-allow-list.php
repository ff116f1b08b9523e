<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$url = $_SERVER['HTTP_X_Q'];
if (in_array($url, ['https://api.example.com/a', 'https://api.example.com/b'], true)) {
    $ch = curl_init($url);
    curl_exec($ch);
}
