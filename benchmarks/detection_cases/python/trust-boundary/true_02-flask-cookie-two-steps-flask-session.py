# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

from flask import Flask, request

app = Flask(__name__)

from flask import session

@app.route("/case")
def handler():

    first = request.cookies.get("q", "")
    value = first.strip()
    session["role"] = value
    return ""
