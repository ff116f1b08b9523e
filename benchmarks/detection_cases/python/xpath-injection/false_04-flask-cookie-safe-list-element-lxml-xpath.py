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

@app.route("/case")
def handler():

    items = ["fixed", request.cookies.get("q", "")]
    return str(tree.xpath("//user[@name='" + items[0] + "']"))
