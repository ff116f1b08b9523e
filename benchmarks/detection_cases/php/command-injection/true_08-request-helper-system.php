<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

function passthrough($text) {
    return trim($text);
}

system('ping -c 1 ' . passthrough($_REQUEST['q']));
