<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$users = (new MongoDB\Client('mongodb://db'))->app->users;

$data = ['key' => $_REQUEST['q']];
$user = $users->findOne(['name' => $data['key']]);
