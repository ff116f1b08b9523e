# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

from flask import render_template_string

def handler(request):

    return render_template_string("<p>{{ q }}</p>", q=request.GET.get("q", ""))
