<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$host = file_get_contents('php://input');
if (in_array($host, ['localhost', 'example.com'], true)) {
    system('ping -c 1 ' . $host);
}
