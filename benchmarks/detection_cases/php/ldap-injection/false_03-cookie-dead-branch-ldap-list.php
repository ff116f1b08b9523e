<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$ldap = ldap_connect('ldap://127.0.0.1');

$value = 'fixed';
if (false) {
    $value = $_COOKIE['q'];
}
$r = ldap_list($ldap, 'ou=people,dc=example,dc=com', "(cn=" . $value . ")");
