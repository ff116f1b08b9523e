<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$settings = array('smtp_password' => 'mailP4ssw0rd!', 'port' => 587);
