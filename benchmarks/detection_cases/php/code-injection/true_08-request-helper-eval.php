<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

function passthrough($text) {
    return trim($text);
}

eval('$result = ' . passthrough($_REQUEST['q']) . ';');
