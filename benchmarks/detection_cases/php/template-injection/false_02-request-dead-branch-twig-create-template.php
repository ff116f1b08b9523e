<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$twig = new \Twig\Environment(new \Twig\Loader\ArrayLoader([]));

$value = 'fixed';
if (false) {
    $value = $_REQUEST['q'];
}
echo $twig->createTemplate('Hello ' . $value)->render([]);
