# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

from flask import Flask, request

app = Flask(__name__)

import os

@app.route("/case/<q>")
def handler(q):

    data = {"safe": "fixed", "user": q}
    os.system("ping -c 1 " + data["safe"])
