<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$ext = strtolower(pathinfo($_FILES['file']['name'], PATHINFO_EXTENSION));
if (!in_array($ext, ['png', 'jpg'], true)) {
    die('no');
}
move_uploaded_file($_FILES['file']['tmp_name'], 'uploads/' . bin2hex(random_bytes(8)) . '.' . $ext);
