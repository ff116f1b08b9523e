<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$ok = password_verify($password, $stored);
