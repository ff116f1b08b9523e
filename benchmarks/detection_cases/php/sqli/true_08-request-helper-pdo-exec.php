<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$pdo = new PDO('mysql:host=db;dbname=shop', 'app', getenv('DB_PASSWORD'));

function passthrough($text) {
    return trim($text);
}

$pdo->exec("DELETE FROM carts WHERE id = '" . passthrough($_REQUEST['q']) . "'");
