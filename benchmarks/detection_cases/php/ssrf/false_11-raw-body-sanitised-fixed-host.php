<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$ch = curl_init('https://api.example.com/items/' . rawurlencode(file_get_contents('php://input')));
curl_exec($ch);
