<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$token = md5($secret);
