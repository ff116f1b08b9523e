<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$data = ['key' => $_POST['q']];
$to = $data['key'];
header("Location: $to");
