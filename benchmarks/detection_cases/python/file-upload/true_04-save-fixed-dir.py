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


@app.route("/u5", methods=["POST"])
def handler():
    upload = request.files["upload"]
    upload.save(os.path.join(app.root_path, "static", upload.filename))
    return ""
