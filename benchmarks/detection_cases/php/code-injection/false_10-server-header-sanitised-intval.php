<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

eval('$result = ' . intval($_SERVER['HTTP_X_Q']) . ' * 2;');
