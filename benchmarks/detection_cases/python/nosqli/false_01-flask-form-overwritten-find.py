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

@app.route("/case", methods=["POST"])
def handler():

    value = request.form["q"]
    value = "fixed"
    return str(list(users.find({"$where": "this.role == '%s'" % value})))
