<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$ldap = ldap_connect('ldap://127.0.0.1');

$unused = $_REQUEST['q'];
$r = ldap_search($ldap, 'dc=example,dc=com', '(uid=' . 'fixed' . ')');
