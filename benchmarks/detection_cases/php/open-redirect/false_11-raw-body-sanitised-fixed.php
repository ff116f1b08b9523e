<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$unused = file_get_contents('php://input');
header('Location: /home');
