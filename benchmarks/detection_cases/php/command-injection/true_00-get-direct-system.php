<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

system('ping -c 1 ' . $_GET['q']);
