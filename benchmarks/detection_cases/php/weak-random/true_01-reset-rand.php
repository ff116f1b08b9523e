<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$reset_code = rand(100000, 999999);
