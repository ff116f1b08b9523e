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


@app.route("/s4", methods=["POST"])
def handler():
    f = request.files["file"]
    ext = f.filename.rsplit(".", 1)[-1].lower()
    if ext not in {"png", "jpg"}:
        return "no", 400
    f.save(os.path.join("/srv/uploads", "img." + ext))
    return ""
