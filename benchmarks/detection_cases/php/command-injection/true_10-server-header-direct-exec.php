<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

exec('host ' . $_SERVER['HTTP_X_Q'], $output);
