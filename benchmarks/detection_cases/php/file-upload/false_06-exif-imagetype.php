<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

if (exif_imagetype($_FILES['img']['tmp_name']) === IMAGETYPE_PNG) {
    move_uploaded_file($_FILES['img']['tmp_name'], 'img/' . uniqid() . '.png');
}
