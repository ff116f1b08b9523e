<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

function generate_token() {
    return dechex(mt_rand()) . dechex(mt_rand());
}
