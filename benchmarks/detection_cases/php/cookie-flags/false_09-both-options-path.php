<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

setcookie('pref', 'dark', ['path' => '/', 'secure' => true, 'httponly' => true]);
