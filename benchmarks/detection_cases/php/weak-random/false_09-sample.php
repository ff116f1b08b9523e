<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$sample = mt_rand(0, 100) < 10;
