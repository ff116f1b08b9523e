# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

from django.http import HttpResponse


def view(request):
    response = HttpResponse("ok")
    response.set_cookie("sessionid", "abc", secure=True)
    return response
