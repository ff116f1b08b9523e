# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

from flask import Flask, request

app = Flask(__name__)

@app.route("/case/<q>")
def handler(q):

    unused = q
    return "<p>" + "fixed" + "</p>"
