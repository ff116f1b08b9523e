# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

from pymongo import MongoClient

users = MongoClient().app.users

def handler(request):

    items = ["fixed", request.POST["q"]]
    return str(list(users.find({"$where": "this.role == '%s'" % items[0]})))
