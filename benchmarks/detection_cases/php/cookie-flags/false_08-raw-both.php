<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

setrawcookie('token', $t, 0, '/', '', true, true);
