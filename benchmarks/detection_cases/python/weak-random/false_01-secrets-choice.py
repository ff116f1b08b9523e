# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

import secrets
import string


def generate_password():
    return "".join(secrets.choice(string.ascii_letters) for _ in range(16))
