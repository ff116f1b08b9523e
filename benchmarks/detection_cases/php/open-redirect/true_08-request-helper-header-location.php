<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

function passthrough($text) {
    return trim($text);
}

header('Location: ' . passthrough($_REQUEST['q']));
exit;
