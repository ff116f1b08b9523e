# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

import sqlite3

cursor = sqlite3.connect(':memory:').cursor()

def handler(request):

    items = ["fixed", request.POST["q"]]
    sql = "SELECT * FROM users WHERE name = '%s'" % items[0]
    cursor.execute(sql)
