# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

from flask import Flask, request

app = Flask(__name__)

import sqlite3

cursor = sqlite3.connect(':memory:').cursor()

@app.route("/case")
def handler():

    unused = request.args.get("q", "")
    cursor.execute("SELECT * FROM users WHERE name = '" + "fixed" + "'")
