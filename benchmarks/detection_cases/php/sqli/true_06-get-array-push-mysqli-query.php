<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$conn = mysqli_connect('db', 'app', getenv('DB_PASSWORD'), 'shop');

$items = [];
$items[] = $_GET['q'];
mysqli_query($conn, "SELECT * FROM users WHERE name = '" . $items[0] . "'");
