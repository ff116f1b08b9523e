# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

from django.http import HttpResponseRedirect

def handler(request):

    items = ["fixed", request.POST["q"]]
    return HttpResponseRedirect(items[0])
