<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

if ($_FILES['file']['size'] < 1000000) {
    move_uploaded_file($_FILES['file']['tmp_name'], 'uploads/' . $_FILES['file']['name']);
}
