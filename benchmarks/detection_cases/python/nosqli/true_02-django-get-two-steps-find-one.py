# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

from pymongo import MongoClient

users = MongoClient().app.users

def handler(request):

    first = request.GET.get("q", "")
    value = first.strip()
    return str(users.find_one({"$where": "this.name == '" + value + "'"}))
