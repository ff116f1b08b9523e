<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$mime = mime_content_type($_FILES['f']['tmp_name']);
if (in_array($mime, ['image/png', 'image/jpeg'], true)) {
    move_uploaded_file($_FILES['f']['tmp_name'], 'img/' . uniqid());
}
