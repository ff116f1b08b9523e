<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$pdo = new PDO('mysql:host=db;dbname=shop', 'app', getenv('DB_PASSWORD'));

$unused = $_COOKIE['q'];
$sql = "SELECT * FROM users WHERE id = " . 'fixed';
$pdo->query($sql);
