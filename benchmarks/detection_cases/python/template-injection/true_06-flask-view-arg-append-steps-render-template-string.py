# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

from flask import Flask, request

app = Flask(__name__)

from flask import render_template_string

@app.route("/case/<q>")
def handler(q):

    value = ""
    value += q
    return render_template_string("<p>" + value + "</p>")
