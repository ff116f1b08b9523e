<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$twig = new \Twig\Environment(new \Twig\Loader\ArrayLoader([]));

$first = $_REQUEST['q'];
$value = trim($first);
echo $twig->createTemplate('Hello ' . $value)->render([]);
