<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

function passthrough($text) {
    return trim($text);
}

printf('<b>%s</b>', passthrough($_REQUEST['q']));
