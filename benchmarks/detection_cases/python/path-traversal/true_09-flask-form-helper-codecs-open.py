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

def passthrough(text):
    return text.strip()

@app.route("/case", methods=["POST"])
def handler():

    return codecs.open(os.path.join("/srv/files", passthrough(request.form["q"]))).read()
