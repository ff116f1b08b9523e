<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$users = (new MongoDB\Client('mongodb://db'))->app->users;

$items = array('fixed', file_get_contents('php://input'));
$cursor = $users->find(['$where' => "this.name == '" . $items[0] . "'"]);
