<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$value = $_POST['q'];
$value = 'fixed';
$loader = new \Twig\Loader\ArrayLoader(['page' => 'Hi ' . $value]);
