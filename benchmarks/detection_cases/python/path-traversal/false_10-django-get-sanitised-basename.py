# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

def handler(request):

    return open(os.path.join("/srv/files", os.path.basename(request.GET.get("q", "")))).read()
