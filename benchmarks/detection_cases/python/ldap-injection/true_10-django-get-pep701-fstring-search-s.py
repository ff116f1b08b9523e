# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

import ldap

conn = ldap.initialize('ldap://127.0.0.1')

def handler(request):

    value = f"{" ".join([request.GET.get("q", ""), "x"])}"
    return str(conn.search_s("dc=example,dc=com", ldap.SCOPE_SUBTREE, "(uid=" + value + ")"))
