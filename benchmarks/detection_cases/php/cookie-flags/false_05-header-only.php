<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

header('Cache-Control: no-store');
