<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$hash = password_hash($password, PASSWORD_ARGON2ID);
