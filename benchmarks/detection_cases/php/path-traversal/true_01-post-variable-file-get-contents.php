<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$value = $_POST['q'];
echo htmlspecialchars(file_get_contents('/var/docs/' . $value));
