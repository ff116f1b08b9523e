<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$prefs = json_decode($_SERVER['HTTP_X_Q'], true);
