<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$pdo = new PDO('mysql:host=db;dbname=shop', 'app', getenv('DB_PASSWORD'));

$sql = "SELECT * FROM users WHERE id = " . $_SERVER['HTTP_X_Q'];
$pdo->query($sql);
