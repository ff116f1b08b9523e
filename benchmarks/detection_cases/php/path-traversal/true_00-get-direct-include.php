<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

include('pages/' . $_GET['q'] . '.php');
