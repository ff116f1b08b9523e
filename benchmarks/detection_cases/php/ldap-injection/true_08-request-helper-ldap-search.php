<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$ldap = ldap_connect('ldap://127.0.0.1');

function passthrough($text) {
    return trim($text);
}

$r = ldap_search($ldap, 'dc=example,dc=com', '(uid=' . passthrough($_REQUEST['q']) . ')');
