# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

import random


def backoff(attempt):
    delay = 2 ** attempt + random.uniform(0, 1)
    return delay
