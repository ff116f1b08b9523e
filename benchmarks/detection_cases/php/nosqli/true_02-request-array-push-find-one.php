<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$users = (new MongoDB\Client('mongodb://db'))->app->users;

$items = [];
$items[] = $_REQUEST['q'];
$user = $users->findOne(['name' => $items[0]]);
