<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$data = ['safe' => 'fixed', 'user' => $_POST['q']];
$to = $data['safe'];
header("Location: $to");
