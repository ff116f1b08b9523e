<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$value = file_get_contents('php://input');
passthru('dig ' . $value);
