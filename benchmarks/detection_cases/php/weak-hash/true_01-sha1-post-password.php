<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$stored = sha1($_POST['password']);
