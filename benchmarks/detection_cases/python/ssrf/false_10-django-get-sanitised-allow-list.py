# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

import requests

def handler(request):

    url = request.GET.get("q", "")
    if url in ("https://api.example.com/a", "https://api.example.com/b"):
        return requests.get(url, timeout=5).text
    return ""
