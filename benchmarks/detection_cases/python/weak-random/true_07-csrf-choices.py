# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

import random


def form():
    csrf = "".join(random.choices("abcdef0123456789", k=32))
    return csrf
