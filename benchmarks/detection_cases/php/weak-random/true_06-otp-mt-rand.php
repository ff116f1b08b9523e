<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$otp = mt_rand(0, 999999);
