<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$users = (new MongoDB\Client('mongodb://db'))->app->users;

$items = array();
array_push($items, $_COOKIE['q']);
$cursor = $users->find(['$where' => "this.name == '" . $items[0] . "'"]);
