# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

import jinja2

def handler(request):

    items = ["fixed", request.POST["q"]]
    return jinja2.Template("Hello " + items[0]).render()
