<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

if (!preg_match('/\.(png|jpg)$/i', $_FILES['f']['name'])) {
    exit;
}
move_uploaded_file($_FILES['f']['tmp_name'], 'img/' . bin2hex(random_bytes(8)));
