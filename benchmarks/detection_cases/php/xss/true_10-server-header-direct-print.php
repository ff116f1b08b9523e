<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

print('<h1>' . $_SERVER['HTTP_X_Q'] . '</h1>');
