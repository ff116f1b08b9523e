<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

setcookie('session', $sid, time() + 3600, '/', '', true);
