<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$ldap = ldap_connect('ldap://127.0.0.1');

$value = file_get_contents('php://input');
$r = ldap_list($ldap, 'ou=people,dc=example,dc=com', "(cn=" . $value . ")");
