# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

from fastapi import FastAPI

app = FastAPI()

import sqlite3

cursor = sqlite3.connect(':memory:').cursor()

@app.get("/case")
def handler(q: str):

    cursor.execute("SELECT * FROM users WHERE id = %d" % int(q))
