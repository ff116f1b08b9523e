<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$fn = file_get_contents('php://input');
if (in_array($fn, ['strtoupper', 'strtolower'], true)) {
    call_user_func($fn, 'x');
}
