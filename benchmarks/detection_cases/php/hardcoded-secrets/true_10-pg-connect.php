<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$pg = pg_connect('host=db dbname=app user=app password=pgS3cret99');
