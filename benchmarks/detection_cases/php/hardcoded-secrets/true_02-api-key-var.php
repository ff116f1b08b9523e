<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$api_key = 'sk_live_51HqLyjWDarjtT1zdp7dc';
