# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

from lxml import etree

tree = etree.parse('users.xml')

def handler(request):

    value = "fixed"
    if False:
        value = request.GET.get("q", "")
    return str(tree.xpath("//user[@name='" + value + "']"))
