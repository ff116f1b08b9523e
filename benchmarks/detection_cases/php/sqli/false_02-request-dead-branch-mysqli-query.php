<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$conn = mysqli_connect('db', 'app', getenv('DB_PASSWORD'), 'shop');

$value = 'fixed';
if (false) {
    $value = $_REQUEST['q'];
}
mysqli_query($conn, "SELECT * FROM users WHERE name = '" . $value . "'");
