<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$config = ['db_password' => getenv('DB_PASSWORD'), 'host' => 'db'];
