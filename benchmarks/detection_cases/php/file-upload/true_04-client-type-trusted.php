<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$type = $_FILES['file']['type'];
move_uploaded_file($_FILES['file']['tmp_name'], 'uploads/upload.' . substr($type, 6));
