<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$raw = $_COOKIE['q'];
$value = "{$raw}";
$loader = new \Twig\Loader\ArrayLoader(['page' => 'Hi ' . $value]);
