<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

setcookie('session', $sid, ['secure' => true, 'httponly' => true, 'samesite' => 'Strict']);
