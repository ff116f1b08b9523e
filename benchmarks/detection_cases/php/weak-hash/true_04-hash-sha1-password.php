<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$h = hash('sha1', $user_password);
