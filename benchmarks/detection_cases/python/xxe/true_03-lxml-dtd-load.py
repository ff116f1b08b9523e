# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

from lxml import etree


def parse(data):
    parser = etree.XMLParser(load_dtd=True)
    return etree.fromstring(data, parser)
