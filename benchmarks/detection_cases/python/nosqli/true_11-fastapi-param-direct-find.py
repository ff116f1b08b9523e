# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
import ast
import html
import os
import shlex

from flask import jsonify, redirect, render_template, url_for

from fastapi import FastAPI

app = FastAPI()

from pymongo import MongoClient

users = MongoClient().app.users

@app.get("/case")
def handler(q: str):

    return str(list(users.find({"$where": "this.role == '%s'" % q})))
