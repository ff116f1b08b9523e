<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$db = new mysqli('db', 'app', 'P@ssw0rd2024', 'shop');
