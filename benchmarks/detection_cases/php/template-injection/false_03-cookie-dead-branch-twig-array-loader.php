<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$value = 'fixed';
if (false) {
    $value = $_COOKIE['q'];
}
$loader = new \Twig\Loader\ArrayLoader(['page' => 'Hi ' . $value]);
