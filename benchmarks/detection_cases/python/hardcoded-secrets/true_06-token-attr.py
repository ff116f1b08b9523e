# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

class Settings:
    def __init__(self):
        self.auth_token = "ghp_16C7e42F292c6912E7710c838347Ae178B4a"
