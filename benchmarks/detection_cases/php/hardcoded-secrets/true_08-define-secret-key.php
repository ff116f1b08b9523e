<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

define('AUTH_SECRET_KEY', 'a8f5f167f44f4964e6c998dee827110c');
