<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$users = (new MongoDB\Client('mongodb://db'))->app->users;

$unused = $_REQUEST['q'];
$user = $users->findOne(['name' => 'fixed']);
