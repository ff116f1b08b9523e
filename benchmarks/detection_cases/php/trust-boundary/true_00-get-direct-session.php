<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$_SESSION['role'] = $_GET['q'];
