<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$api_token = '<your-token-here>';
