<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$dice = mt_rand(1, 6);
