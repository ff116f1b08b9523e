<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

if ($_FILES['avatar']['error'] === UPLOAD_ERR_OK) {
    move_uploaded_file($_FILES['avatar']['tmp_name'], 'avatars/' . $_FILES['avatar']['name']);
}
