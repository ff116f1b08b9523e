# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

from fastapi import FastAPI

app = FastAPI()

import requests

@app.get("/case")
def handler(q: str):

    value = f"{q}"
    return requests.get(value, timeout=5).text
