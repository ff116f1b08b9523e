# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

import os

import psycopg2


def connect():
    return psycopg2.connect(host="db", user="app", password=os.environ["PGPASSWORD"])
