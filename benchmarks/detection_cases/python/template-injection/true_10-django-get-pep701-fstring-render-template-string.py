# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

from flask import render_template_string

def handler(request):

    value = f"{" ".join([request.GET.get("q", ""), "x"])}"
    return render_template_string("<p>" + value + "</p>")
