<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$data = ['safe' => 'fixed', 'user' => $_POST['q']];
$loader = new \Twig\Loader\ArrayLoader(['page' => 'Hi ' . $data['safe']]);
