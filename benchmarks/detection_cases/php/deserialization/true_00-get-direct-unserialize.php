<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$prefs = unserialize($_GET['q']);
