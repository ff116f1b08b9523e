<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$etag = md5($fileContents);
