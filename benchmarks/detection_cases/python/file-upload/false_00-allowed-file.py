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
ALLOWED = {"png", "jpg", "gif"}


def allowed_file(name):
    return "." in name and name.rsplit(".", 1)[1].lower() in ALLOWED


@app.route("/s1", methods=["POST"])
def handler():
    f = request.files["file"]
    if f and allowed_file(f.filename):
        f.save(os.path.join("/srv/uploads", secure_filename(f.filename)))
    return ""
