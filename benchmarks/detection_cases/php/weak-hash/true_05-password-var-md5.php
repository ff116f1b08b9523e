<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$password_hash = md5($input);
