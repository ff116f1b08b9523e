<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

if (preg_match('/^[a-z0-9_-]+\.(png|jpg)$/', $_FILES['f']['name'])) {
    move_uploaded_file($_FILES['f']['tmp_name'], 'img/' . $_FILES['f']['name']);
}
