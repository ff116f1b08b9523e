<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$users = (new MongoDB\Client('mongodb://db'))->app->users;

$data = ['safe' => 'fixed', 'user' => $_POST['q']];
$cursor = $users->find(['$where' => "this.name == '" . $data['safe'] . "'"]);
