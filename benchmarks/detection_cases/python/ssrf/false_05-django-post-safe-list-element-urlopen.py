# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

import urllib.request

def handler(request):

    items = ["fixed", request.POST["q"]]
    return urllib.request.urlopen(items[0]).read()
