# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

from flask import Flask, request

app = Flask(__name__)

import httpx

@app.route("/case")
def handler():

    data = {"key": request.args.get("q", "")}
    return httpx.post(data["key"], json={}).text
