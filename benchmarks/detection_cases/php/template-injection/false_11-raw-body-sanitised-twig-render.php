<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$twig = new \Twig\Environment(new \Twig\Loader\ArrayLoader([]));

echo $twig->render('page.html', ['name' => file_get_contents('php://input')]);
