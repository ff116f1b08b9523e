<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

define('DB_PASSWORD', 'Tr0ub4dor&3');
