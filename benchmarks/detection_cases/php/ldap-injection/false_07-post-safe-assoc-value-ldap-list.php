<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$ldap = ldap_connect('ldap://127.0.0.1');

$data = ['safe' => 'fixed', 'user' => $_POST['q']];
$r = ldap_list($ldap, 'ou=people,dc=example,dc=com', "(cn=" . $data['safe'] . ")");
