<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$users = (new MongoDB\Client('mongodb://db'))->app->users;

$user = $users->findOne(['name' => (string) $_SERVER['HTTP_X_Q']]);
