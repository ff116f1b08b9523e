<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$data = ['key' => $_POST['q']];
$headers = get_headers($data['key']);
