# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

import ldap3

conn = ldap3.Connection(ldap3.Server('127.0.0.1'))

def handler(request):

    value = "{}".format(request.POST["q"])
    conn.search("dc=example,dc=com", "(cn=%s)" % value)
    return ""
