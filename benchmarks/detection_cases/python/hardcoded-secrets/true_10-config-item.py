# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

import flask

app = flask.Flask(__name__)
app.config["SECRET_KEY"] = "a8f5f167f44f4964e6c998dee827110c"
