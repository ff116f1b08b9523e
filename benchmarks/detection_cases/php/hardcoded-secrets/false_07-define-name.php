<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

define('PASSWORD_MIN_LENGTH', 12);
