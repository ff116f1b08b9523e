<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$name = $_POST['name'];
move_uploaded_file($_FILES['f']['tmp_name'], "files/$name");
