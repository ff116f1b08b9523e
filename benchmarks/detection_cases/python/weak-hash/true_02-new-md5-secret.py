# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

import hashlib


def digest(secret):
    return hashlib.new("md5", secret.encode()).hexdigest()
