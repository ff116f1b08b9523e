<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

if (getimagesize($_FILES['img']['tmp_name']) !== false) {
    move_uploaded_file($_FILES['img']['tmp_name'], 'img/' . bin2hex(random_bytes(8)) . '.png');
}
