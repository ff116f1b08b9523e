<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$prefs = unserialize(file_get_contents('php://input'), ['allowed_classes' => false]);
