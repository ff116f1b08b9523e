# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

import subprocess

def handler(request):

    items = ["fixed", request.POST["q"]]
    subprocess.run("nslookup " + items[0], shell=True)
