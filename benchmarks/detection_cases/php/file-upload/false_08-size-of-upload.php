<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$size = $_FILES['file']['size'];
echo intval($size);
