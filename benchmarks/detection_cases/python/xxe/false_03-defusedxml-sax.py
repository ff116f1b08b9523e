# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

import defusedxml.sax


def parse(data, handler):
    defusedxml.sax.parseString(data, handler)
