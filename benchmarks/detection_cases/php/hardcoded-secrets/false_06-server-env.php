<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$secret = $_ENV['APP_SECRET'];
