<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$items = array();
array_push($items, $_COOKIE['q']);
$loader = new \Twig\Loader\ArrayLoader(['page' => 'Hi ' . $items[0]]);
