<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$digest = md5($salt . $_POST['pwd']);
