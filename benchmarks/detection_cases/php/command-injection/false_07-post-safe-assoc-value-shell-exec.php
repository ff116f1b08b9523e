<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$data = ['safe' => 'fixed', 'user' => $_POST['q']];
echo shell_exec('nslookup ' . $data['safe']);
