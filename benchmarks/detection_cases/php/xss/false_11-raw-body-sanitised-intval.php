<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

echo '<p>' . intval(file_get_contents('php://input')) . '</p>';
