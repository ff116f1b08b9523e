<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$content = file_get_contents($_FILES['csv']['tmp_name']);
$rows = str_getcsv($content);
