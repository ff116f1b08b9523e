<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$pdo = new PDO('mysql:host=db;dbname=shop', 'app', getenv('DB_PASSWORD'));

$value = $_POST['q'];
$value = 'fixed';
$sql = "SELECT * FROM users WHERE id = " . $value;
$pdo->query($sql);
