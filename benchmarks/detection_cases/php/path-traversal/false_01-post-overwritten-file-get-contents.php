<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$value = $_POST['q'];
$value = 'fixed';
echo htmlspecialchars(file_get_contents('/var/docs/' . $value));
