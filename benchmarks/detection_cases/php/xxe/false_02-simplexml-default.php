<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$xml = file_get_contents('php://input');
$sx = simplexml_load_string($xml);
