<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$twig = new \Twig\Environment(new \Twig\Loader\ArrayLoader([]));

function passthrough($text) {
    return trim($text);
}

echo $twig->createTemplate('Hello ' . passthrough($_REQUEST['q']))->render([]);
