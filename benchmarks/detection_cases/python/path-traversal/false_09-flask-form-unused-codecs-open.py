# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

from flask import Flask, request

app = Flask(__name__)

import codecs
import os

@app.route("/case", methods=["POST"])
def handler():

    unused = request.form["q"]
    return codecs.open(os.path.join("/srv/files", "fixed")).read()
