<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$invite_code = uniqid('inv', true);
