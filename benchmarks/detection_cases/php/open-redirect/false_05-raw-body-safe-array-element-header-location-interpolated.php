<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$items = array('fixed', file_get_contents('php://input'));
$to = $items[0];
header("Location: $to");
