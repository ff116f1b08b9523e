<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$api_key = getenv('API_KEY');
