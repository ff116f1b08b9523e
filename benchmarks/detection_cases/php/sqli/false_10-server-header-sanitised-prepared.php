<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$conn = mysqli_connect('db', 'app', getenv('DB_PASSWORD'), 'shop');

$stmt = $conn->prepare('SELECT * FROM users WHERE name = ?');
$name = $_SERVER['HTTP_X_Q'];
$stmt->bind_param('s', $name);
$stmt->execute();
