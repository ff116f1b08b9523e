# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

from flask import Flask, request

app = Flask(__name__)

import jinja2

@app.route("/case", methods=["POST"])
def handler():

    value = request.form["q"]
    value = "fixed"
    return jinja2.Template("Hello " + value).render()
