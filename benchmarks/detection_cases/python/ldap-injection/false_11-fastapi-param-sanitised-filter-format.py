# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

from fastapi import FastAPI

app = FastAPI()

import ldap

conn = ldap.initialize('ldap://127.0.0.1')

@app.get("/case")
def handler(q: str):

    return str(conn.search_s("dc=example,dc=com", ldap.SCOPE_SUBTREE, ldap.filter.filter_format("(uid=%s)", [q])))
