<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$session_id = mt_rand();
