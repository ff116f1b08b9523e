<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

setcookie('remember', '1', time() + 86400, '/');
