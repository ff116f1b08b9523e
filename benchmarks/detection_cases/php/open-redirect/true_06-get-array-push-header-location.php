<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$items = [];
$items[] = $_GET['q'];
header('Location: ' . $items[0]);
exit;
