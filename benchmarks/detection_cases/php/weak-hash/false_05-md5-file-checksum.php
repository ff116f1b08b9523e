<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$checksum = md5_file($path);
