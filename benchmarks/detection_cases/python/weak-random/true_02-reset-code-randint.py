# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

import random


def send_reset():
    reset_code = random.randint(100000, 999999)
    return reset_code
