# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

import random
import string


def new_token():
    return "".join(random.choice(string.ascii_letters) for _ in range(32))
