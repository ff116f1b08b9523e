# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

from flask import Flask, request

app = Flask(__name__)

import urllib.request

@app.route("/case")
def handler():

    items = []
    items.append(request.headers.get("X-Q", ""))
    return urllib.request.urlopen(items[0]).read()
