<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$target = 'uploads/' . basename($_FILES['file']['name']);
move_uploaded_file($_FILES['file']['tmp_name'], $target);
