<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

echo '<p>' . htmlspecialchars($_SERVER['HTTP_X_Q'], ENT_QUOTES, 'UTF-8') . '</p>';
