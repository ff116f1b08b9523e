<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$value = $_POST['q'];
$value = 'fixed';
print('<h1>' . $value . '</h1>');
