<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

system('ping -c 1 ' . escapeshellarg($_SERVER['HTTP_X_Q']));
