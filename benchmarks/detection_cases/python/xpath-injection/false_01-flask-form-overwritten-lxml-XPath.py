# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

from flask import Flask, request

app = Flask(__name__)

from lxml import etree

tree = etree.parse('users.xml')

@app.route("/case", methods=["POST"])
def handler():

    value = request.form["q"]
    value = "fixed"
    return str(etree.XPath("//user[@id='%s']" % value)(tree))
