<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

echo '<p>' . $_GET['q'] . '</p>';
