<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$hash = md5($password);
