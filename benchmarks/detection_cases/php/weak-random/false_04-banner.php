<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$banner = rand(1, 3);
