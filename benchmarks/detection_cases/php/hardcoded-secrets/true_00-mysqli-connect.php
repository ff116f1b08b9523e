<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$conn = mysqli_connect('db', 'app', 'app-password-123', 'shop');
