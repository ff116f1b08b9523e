<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

ini_set('session.cookie_secure', '0');
