<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$users = (new MongoDB\Client('mongodb://db'))->app->users;

$data = ['key' => $_COOKIE['q']];
$cursor = $users->find(['$where' => "this.name == '" . $data['key'] . "'"]);
