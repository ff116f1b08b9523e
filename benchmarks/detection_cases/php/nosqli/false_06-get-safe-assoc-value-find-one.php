<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$users = (new MongoDB\Client('mongodb://db'))->app->users;

$data = ['safe' => 'fixed', 'user' => $_GET['q']];
$user = $users->findOne(['name' => $data['safe']]);
