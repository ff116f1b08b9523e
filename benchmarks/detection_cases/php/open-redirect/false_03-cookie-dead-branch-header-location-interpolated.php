<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$value = 'fixed';
if (false) {
    $value = $_COOKIE['q'];
}
$to = $value;
header("Location: $to");
