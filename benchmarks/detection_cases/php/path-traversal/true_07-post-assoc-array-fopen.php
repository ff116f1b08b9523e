<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$data = ['key' => $_POST['q']];
$handle = fopen('/var/docs/' . $data['key'], 'r');
