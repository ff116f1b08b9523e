<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$pdo = new PDO('mysql:host=db;dbname=shop', 'app', getenv('DB_PASSWORD'));

$items = array('fixed', file_get_contents('php://input'));
$sql = "SELECT * FROM users WHERE id = " . $items[0];
$pdo->query($sql);
