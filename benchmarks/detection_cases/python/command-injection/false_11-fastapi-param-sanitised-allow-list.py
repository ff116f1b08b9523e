# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

from fastapi import FastAPI

app = FastAPI()

import os

@app.get("/case")
def handler(q: str):

    host = q
    if host in ("localhost", "example.com"):
        os.system("ping -c 1 " + host)
