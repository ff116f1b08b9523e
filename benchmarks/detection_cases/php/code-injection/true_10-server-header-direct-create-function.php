<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$f = create_function('$x', $_SERVER['HTTP_X_Q']);
