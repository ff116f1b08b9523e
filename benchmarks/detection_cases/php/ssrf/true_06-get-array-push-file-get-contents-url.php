<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$items = [];
$items[] = $_GET['q'];
$body = file_get_contents($items[0]);
