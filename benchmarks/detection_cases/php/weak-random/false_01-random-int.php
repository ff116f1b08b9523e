<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$otp = random_int(0, 999999);
