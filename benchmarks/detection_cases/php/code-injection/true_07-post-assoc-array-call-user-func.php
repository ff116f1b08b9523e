<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$data = ['key' => $_POST['q']];
call_user_func($data['key']);
