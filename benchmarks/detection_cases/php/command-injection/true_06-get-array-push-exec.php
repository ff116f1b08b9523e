<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$items = [];
$items[] = $_GET['q'];
exec('host ' . $items[0], $output);
