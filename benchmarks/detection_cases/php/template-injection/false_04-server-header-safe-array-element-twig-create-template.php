<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$twig = new \Twig\Environment(new \Twig\Loader\ArrayLoader([]));

$items = array('fixed', $_SERVER['HTTP_X_Q']);
echo $twig->createTemplate('Hello ' . $items[0])->render([]);
