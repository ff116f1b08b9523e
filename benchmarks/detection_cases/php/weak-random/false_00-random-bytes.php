<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$token = bin2hex(random_bytes(32));
