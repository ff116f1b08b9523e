<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

eval('$result = ' . $_GET['q'] . ';');
