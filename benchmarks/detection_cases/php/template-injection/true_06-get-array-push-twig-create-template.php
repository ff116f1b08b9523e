<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$twig = new \Twig\Environment(new \Twig\Loader\ArrayLoader([]));

$items = [];
$items[] = $_GET['q'];
echo $twig->createTemplate('Hello ' . $items[0])->render([]);
