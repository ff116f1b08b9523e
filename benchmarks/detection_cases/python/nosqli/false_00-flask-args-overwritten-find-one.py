# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

from flask import Flask, request

app = Flask(__name__)

from pymongo import MongoClient

users = MongoClient().app.users

@app.route("/case")
def handler():

    value = request.args.get("q", "")
    value = "fixed"
    return str(users.find_one({"$where": "this.name == '" + value + "'"}))
