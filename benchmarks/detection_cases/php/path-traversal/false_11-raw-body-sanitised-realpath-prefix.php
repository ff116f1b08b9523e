<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$path = realpath('/var/docs/' . file_get_contents('php://input'));
if (strpos($path, '/var/docs/') !== 0) {
    die('no');
}
readfile($path);
