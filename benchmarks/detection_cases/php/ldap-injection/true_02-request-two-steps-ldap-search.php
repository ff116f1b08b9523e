<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$ldap = ldap_connect('ldap://127.0.0.1');

$first = $_REQUEST['q'];
$value = trim($first);
$r = ldap_search($ldap, 'dc=example,dc=com', '(uid=' . $value . ')');
