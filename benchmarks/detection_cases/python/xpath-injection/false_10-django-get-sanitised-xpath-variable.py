# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

from lxml import etree

tree = etree.parse('users.xml')

def handler(request):

    return str(tree.xpath("//user[@name=$name]", name=request.GET.get("q", "")))
