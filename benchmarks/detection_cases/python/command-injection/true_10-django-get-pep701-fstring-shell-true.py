# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

import subprocess

def handler(request):

    value = f"{" ".join([request.GET.get("q", ""), "x"])}"
    subprocess.run("nslookup " + value, shell=True)
