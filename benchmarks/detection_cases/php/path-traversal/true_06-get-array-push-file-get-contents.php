<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$items = [];
$items[] = $_GET['q'];
echo htmlspecialchars(file_get_contents('/var/docs/' . $items[0]));
