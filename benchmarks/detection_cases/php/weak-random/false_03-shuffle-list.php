<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$order = range(1, 10);
shuffle($order);
