<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$users = (new MongoDB\Client('mongodb://db'))->app->users;

$items = array('fixed', $_SERVER['HTTP_X_Q']);
$user = $users->findOne(['name' => $items[0]]);
