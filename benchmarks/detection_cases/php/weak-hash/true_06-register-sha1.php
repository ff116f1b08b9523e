<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

function register($user, $pw) {
    return sha1($pw . $user);
}
