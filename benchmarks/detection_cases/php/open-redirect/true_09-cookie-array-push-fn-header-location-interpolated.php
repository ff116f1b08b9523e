<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$items = array();
array_push($items, $_COOKIE['q']);
$to = $items[0];
header("Location: $to");
