<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

if (is_uploaded_file($_FILES['f']['tmp_name'])) {
    move_uploaded_file($_FILES['f']['tmp_name'], 'files/' . $_FILES['f']['name']);
}
