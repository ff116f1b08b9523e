<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$twig = new \Twig\Environment(new \Twig\Loader\ArrayLoader([]));

echo $twig->createTemplate('Hello ' . $_SERVER['HTTP_X_Q'])->render([]);
