# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

from flask import Flask, request

app = Flask(__name__)
import os

from werkzeug.utils import secure_filename


@app.route("/s6", methods=["POST"])
def handler():
    f = request.files["file"]
    return {"size": len(f.read())}
