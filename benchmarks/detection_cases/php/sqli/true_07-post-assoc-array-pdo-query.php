<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$pdo = new PDO('mysql:host=db;dbname=shop', 'app', getenv('DB_PASSWORD'));

$data = ['key' => $_POST['q']];
$sql = "SELECT * FROM users WHERE id = " . $data['key'];
$pdo->query($sql);
