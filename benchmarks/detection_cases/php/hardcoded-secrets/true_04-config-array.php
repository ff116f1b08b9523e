<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$config = ['db_password' => 'hunter2hunter2', 'host' => 'db'];
