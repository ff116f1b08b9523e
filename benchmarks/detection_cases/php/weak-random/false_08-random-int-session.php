<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$session_id = bin2hex(random_bytes(16));
