<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$items = array();
array_push($items, $_COOKIE['q']);
echo shell_exec('nslookup ' . $items[0]);
