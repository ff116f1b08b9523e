<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$users = (new MongoDB\Client('mongodb://db'))->app->users;

$value = 'fixed';
if (false) {
    $value = $_COOKIE['q'];
}
$cursor = $users->find(['$where' => "this.name == '" . $value . "'"]);
