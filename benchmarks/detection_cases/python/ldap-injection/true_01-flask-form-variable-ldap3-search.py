# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

from flask import Flask, request

app = Flask(__name__)

import ldap3

conn = ldap3.Connection(ldap3.Server('127.0.0.1'))

@app.route("/case", methods=["POST"])
def handler():

    value = request.form["q"]
    conn.search("dc=example,dc=com", "(cn=%s)" % value)
    return ""
