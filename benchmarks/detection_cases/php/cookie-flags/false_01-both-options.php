<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

setcookie('session', $sid, ['expires' => 0, 'secure' => true, 'httponly' => true]);
