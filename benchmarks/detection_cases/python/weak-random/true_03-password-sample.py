# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

import random
import string


def generate_password():
    return "".join(random.sample(string.ascii_letters + string.digits, 12))
