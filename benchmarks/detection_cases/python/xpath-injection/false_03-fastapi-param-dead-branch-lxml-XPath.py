# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

from fastapi import FastAPI

app = FastAPI()

from lxml import etree

tree = etree.parse('users.xml')

@app.get("/case")
def handler(q: str):

    value = "fixed"
    if False:
        value = q
    return str(etree.XPath("//user[@id='%s']" % value)(tree))
