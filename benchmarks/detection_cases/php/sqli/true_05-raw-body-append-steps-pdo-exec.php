<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$pdo = new PDO('mysql:host=db;dbname=shop', 'app', getenv('DB_PASSWORD'));

$value = '';
$value .= file_get_contents('php://input');
$pdo->exec("DELETE FROM carts WHERE id = '" . $value . "'");
