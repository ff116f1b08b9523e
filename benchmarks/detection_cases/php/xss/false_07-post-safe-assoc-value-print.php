<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$data = ['safe' => 'fixed', 'user' => $_POST['q']];
print('<h1>' . $data['safe'] . '</h1>');
