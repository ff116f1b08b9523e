# Annotated examples for pipeline/tools/semgrep_rules/python.yaml (semgrep --test).
import hashlib
import os
import pickle
import sqlite3
import subprocess

import requests
import yaml
from flask import Flask, request
from markupsafe import escape

app = Flask(__name__)
conn = sqlite3.connect(":memory:")


def sql(user_id):
    # ruleid: py-sql-injection
    conn.execute("SELECT * FROM users WHERE id = '%s'" % user_id)
    # ruleid: py-sql-injection
    conn.execute(f"SELECT * FROM users WHERE id = {user_id}")
    # ruleid: py-sql-injection
    conn.execute("SELECT * FROM users WHERE id = " + user_id)
    # ok: py-sql-injection
    conn.execute("SELECT * FROM users WHERE id = ?", (user_id,))


def commands(host):
    # ruleid: py-command-injection
    subprocess.check_output("ping -c 1 " + host, shell=True)
    # ruleid: py-command-injection
    os.system("ping " + host)
    # ok: py-command-injection
    subprocess.check_output(["ping", "-c", "1", host])
    # ok: py-command-injection
    subprocess.run("ls -l", shell=True)


@app.route("/search")
def search():
    query = request.args.get("q", "")
    # ruleid: py-flask-reflected-xss
    return "<p>" + query + "</p>"


@app.route("/search-safe")
def search_safe():
    query = escape(request.args.get("q", ""))
    # ok: py-flask-reflected-xss
    return "<p>" + query + "</p>"


@app.route("/file")
def read_file():
    name = request.args.get("name")
    # ruleid: py-path-traversal
    with open(os.path.join("/srv/static", name)) as handle:
        return handle.read()


@app.route("/static-file")
def read_fixed_file():
    # ok: py-path-traversal
    with open("/srv/static/readme.txt") as handle:
        return handle.read()


@app.route("/fetch")
def fetch():
    url = request.args.get("url")
    # ruleid: py-ssrf
    return requests.get(url, timeout=5).text


def fetch_fixed():
    # ok: py-ssrf
    return requests.get("https://example.invalid/status", timeout=5).text


def deserialise(blob, text):
    # ruleid: py-unsafe-deserialization
    pickle.loads(blob)
    # ruleid: py-unsafe-deserialization
    yaml.load(text, Loader=yaml.Loader)
    # ok: py-unsafe-deserialization
    yaml.safe_load(text)


def hashes(password, data):
    # ruleid: py-weak-hash
    hashlib.md5(password.encode()).hexdigest()
    # ruleid: py-weak-hash
    hashlib.sha1(data)
    # ok: py-weak-hash
    hashlib.sha256(data)
    # ok: py-weak-hash
    hashlib.md5(data, usedforsecurity=False)


# ruleid: py-hardcoded-secret
DATABASE_PASSWORD = "hunter2-prod-password"
# ok: py-hardcoded-secret
DATABASE_PASSWORD_ENV = os.environ.get("DATABASE_PASSWORD")
# ok: py-hardcoded-secret
GREETING = "hello there friend"


def tls(url):
    # ruleid: py-tls-verification-disabled
    requests.get(url, verify=False, timeout=5)
    # ok: py-tls-verification-disabled
    requests.get(url, timeout=5)
