<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

move_uploaded_file($_FILES['file']['tmp_name'], 'uploads/' . $_FILES['file']['name']);
