<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$next = $_SERVER['HTTP_X_Q'];
if (in_array($next, ['/home', '/account'], true)) {
    header('Location: ' . $next);
}
