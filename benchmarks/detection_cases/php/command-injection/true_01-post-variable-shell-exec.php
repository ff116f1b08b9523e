<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$value = $_POST['q'];
echo shell_exec('nslookup ' . $value);
