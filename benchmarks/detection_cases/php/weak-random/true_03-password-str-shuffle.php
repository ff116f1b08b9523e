<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$password = substr(str_shuffle('abcdefghjkmnpqrstuvwxyz23456789'), 0, 10);
