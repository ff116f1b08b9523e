<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$mac = hash_hmac('sha512', $body, $key);
