<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$secret = '${APP_SECRET}';
