"""A deliberately vulnerable Flask app: secpipe's bundled example. NEVER deploy it.

Each route carries one classic OWASP Top 10 flaw so that every scanner stage has
something real to find (expected.json lists what each tool must report).
Run it for the DAST stage with:  python app.py --port 8000   (binds 127.0.0.1 only)
"""
import argparse
import hashlib
import os
import pickle
import sqlite3
import subprocess
import tempfile

import requests
import yaml
from flask import Flask, request

app = Flask(__name__)

# Hard-coded credentials (CWE-798).
AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
DATABASE_PASSWORD = "hunter2-prod-password"

BASE_DIR = os.path.dirname(os.path.abspath(__file__))
# The demo database lives outside the source tree, so running the app leaves the example unchanged.
DB = os.environ.get("VULNERABLE_APP_DB") or os.path.join(tempfile.gettempdir(), "secpipe-vulnerable-app.db")


@app.route("/")
def index():
    return (
        "<html><body><h1>Vulnerable demo</h1>"
        "<form action='/search'><input name='q'><input type='submit'></form>"
        "<a href='/search?q=hello'>search</a> <a href='/user?id=1'>user</a> "
        "<a href='/file?name=readme.txt'>file</a> <a href='/ping?host=127.0.0.1'>ping</a>"
        "</body></html>"
    )


@app.route("/search")
def search():
    query = request.args.get("q", "")
    # Reflected XSS (CWE-79): user input is written into HTML unescaped.
    return "<html><body><p>Results for " + query + "</p></body></html>"


@app.route("/user")
def user():
    user_id = request.args.get("id", "1")
    conn = sqlite3.connect(DB)
    # SQL injection (CWE-89): the query is built by string formatting.
    rows = conn.execute("SELECT name FROM users WHERE id = '%s'" % user_id).fetchall()
    return {"users": [r[0] for r in rows]}


@app.route("/ping")
def ping():
    host = request.args.get("host", "127.0.0.1")
    # OS command injection (CWE-78).
    output = subprocess.check_output("ping -c 1 " + host, shell=True)
    return output


@app.route("/file")
def read_file():
    name = request.args.get("name", "readme.txt")
    # Path traversal (CWE-22).
    with open(os.path.join(BASE_DIR, "static", name)) as handle:
        return handle.read()


@app.route("/fetch")
def fetch():
    url = request.args.get("url", "")
    # SSRF (CWE-918) and disabled TLS verification (CWE-295).
    return requests.get(url, verify=False, timeout=5).text


@app.route("/restore", methods=["POST"])
def restore():
    # Unsafe deserialization (CWE-502).
    state = pickle.loads(request.get_data())
    return {"restored": str(state)}


@app.route("/config", methods=["POST"])
def config():
    # Unsafe YAML load (CWE-502).
    settings = yaml.load(request.get_data(), Loader=yaml.Loader)
    return {"keys": list(settings)}


def hash_password(password):
    # Weak hash for passwords (CWE-327).
    return hashlib.md5(password.encode()).hexdigest()


def _init_db():
    conn = sqlite3.connect(DB)
    conn.execute("CREATE TABLE IF NOT EXISTS users (id TEXT, name TEXT)")
    conn.execute("DELETE FROM users")
    conn.execute("INSERT INTO users VALUES ('1', 'alice')")
    conn.commit()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    _init_db()
    app.run(host="127.0.0.1", port=args.port, debug=False)
