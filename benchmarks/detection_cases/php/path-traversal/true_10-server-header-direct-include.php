<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

include('pages/' . $_SERVER['HTTP_X_Q'] . '.php');
