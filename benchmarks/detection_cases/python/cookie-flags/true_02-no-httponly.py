# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

from flask import Flask, request

app = Flask(__name__)


@app.route("/")
def index():
    response = app.make_response("ok")
    response.set_cookie("sid", "abc", secure=True)
    return response
