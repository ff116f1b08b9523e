<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$ch = curl_init($_GET['q']);
curl_exec($ch);
