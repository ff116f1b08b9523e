<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$users = (new MongoDB\Client('mongodb://db'))->app->users;

$cursor = $users->find(['$where' => "this.name == '" . file_get_contents('php://input') . "'"]);
