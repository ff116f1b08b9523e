<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

function store($file) {
    return move_uploaded_file($file['tmp_name'], __DIR__ . '/uploads/' . $file['name']);
}
