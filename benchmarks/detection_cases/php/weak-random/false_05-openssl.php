<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$key = bin2hex(openssl_random_pseudo_bytes(32));
