<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

foreach ($_FILES['docs']['tmp_name'] as $i => $tmp) {
    move_uploaded_file($tmp, 'docs/' . $_FILES['docs']['name'][$i]);
}
