<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$theme = $_COOKIE['theme'] ?? 'light';
