<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

function login_check($input, $stored) {
    return md5($input) === $stored;
}
