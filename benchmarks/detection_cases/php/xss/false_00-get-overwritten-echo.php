<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$value = $_GET['q'];
$value = 'fixed';
echo '<p>' . $value . '</p>';
