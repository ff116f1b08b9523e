<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$twig = new \Twig\Environment(new \Twig\Loader\ArrayLoader([]));

$data = ['safe' => 'fixed', 'user' => $_GET['q']];
echo $twig->createTemplate('Hello ' . $data['safe'])->render([]);
