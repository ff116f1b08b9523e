# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

import requests

def handler(request):

    value = "fixed"
    if False:
        value = request.GET.get("q", "")
    return requests.get(value, timeout=5).text
