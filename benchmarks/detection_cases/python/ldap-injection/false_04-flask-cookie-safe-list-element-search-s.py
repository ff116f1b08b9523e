# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

from flask import Flask, request

app = Flask(__name__)

import ldap

conn = ldap.initialize('ldap://127.0.0.1')

@app.route("/case")
def handler():

    items = ["fixed", request.cookies.get("q", "")]
    return str(conn.search_s("dc=example,dc=com", ldap.SCOPE_SUBTREE, "(uid=" + items[0] + ")"))
