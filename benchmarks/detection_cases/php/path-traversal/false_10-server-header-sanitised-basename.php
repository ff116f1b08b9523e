<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

readfile('/var/docs/' . basename($_SERVER['HTTP_X_Q']));
