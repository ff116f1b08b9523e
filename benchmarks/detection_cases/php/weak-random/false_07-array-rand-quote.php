<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$quote = $quotes[array_rand($quotes)];
