<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$unused = $_COOKIE['q'];
$loader = new \Twig\Loader\ArrayLoader(['page' => 'Hi ' . 'fixed']);
