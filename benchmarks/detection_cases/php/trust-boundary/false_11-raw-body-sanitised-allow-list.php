<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$lang = file_get_contents('php://input');
if (in_array($lang, ['en', 'de'], true)) {
    $_SESSION['lang'] = $lang;
}
