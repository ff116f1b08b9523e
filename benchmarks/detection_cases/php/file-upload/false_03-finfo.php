<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$finfo = finfo_open(FILEINFO_MIME_TYPE);
if (finfo_file($finfo, $_FILES['f']['tmp_name']) === 'application/pdf') {
    move_uploaded_file($_FILES['f']['tmp_name'], 'pdf/' . bin2hex(random_bytes(8)) . '.pdf');
}
