<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$ldap = ldap_connect('ldap://127.0.0.1');

$value = sprintf('%s', $_SERVER['HTTP_X_Q']);
$r = ldap_search($ldap, 'dc=example,dc=com', '(uid=' . $value . ')');
