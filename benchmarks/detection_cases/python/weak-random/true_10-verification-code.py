# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

import random


def verify_email():
    verification_code = random.randint(0, 9999)
    return verification_code
