<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$unused = $_COOKIE['q'];
echo htmlspecialchars(file_get_contents('/var/docs/' . 'fixed'));
