<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$users = (new MongoDB\Client('mongodb://db'))->app->users;

$value = 'fixed';
if (false) {
    $value = $_REQUEST['q'];
}
$user = $users->findOne(['name' => $value]);
