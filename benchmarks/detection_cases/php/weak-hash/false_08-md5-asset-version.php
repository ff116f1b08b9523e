<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$version = substr(md5($css), 0, 8);
