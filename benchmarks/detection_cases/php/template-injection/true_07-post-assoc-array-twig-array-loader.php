<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$data = ['key' => $_POST['q']];
$loader = new \Twig\Loader\ArrayLoader(['page' => 'Hi ' . $data['key']]);
