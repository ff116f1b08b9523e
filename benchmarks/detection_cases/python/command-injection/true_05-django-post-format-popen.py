# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

import os

def handler(request):

    value = "{}".format(request.POST["q"])
    os.popen("host " + value).read()
