<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$items = [];
$items[] = $_GET['q'];
$f = create_function('$x', $items[0]);
