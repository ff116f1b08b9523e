<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$hashed = md5(md5($password));
