<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$twig = new \Twig\Environment(new \Twig\Loader\ArrayLoader([]));

$value = $_GET['q'];
$value = 'fixed';
echo $twig->createTemplate('Hello ' . $value)->render([]);
