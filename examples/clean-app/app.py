"""A small Flask app written the safe way: secpipe's clean example.

`secpipe scan examples/clean-app` passes the gate. Each route is the safe twin of
a route in examples/vulnerable-app/app.py.
"""
import argparse
import os
import sqlite3
import tempfile
from pathlib import Path

from flask import Flask, abort, request
from markupsafe import escape

app = Flask(__name__)

BASE_DIR = Path(__file__).resolve().parent
STATIC_DIR = BASE_DIR / "static"
DB = Path(os.environ.get("CLEAN_APP_DB") or Path(tempfile.gettempdir()) / "secpipe-clean-app.db")
# Credentials come from the environment, never from the source.
DATABASE_URL = os.environ.get("DATABASE_URL", "")


@app.route("/search")
def search():
    query = escape(request.args.get("q", ""))
    return f"<html><body><p>Results for {query}</p></body></html>"


@app.route("/user")
def user():
    user_id = request.args.get("id", "1")
    with sqlite3.connect(DB) as conn:
        rows = conn.execute("SELECT name FROM users WHERE id = ?", (user_id,)).fetchall()
    return {"users": [r[0] for r in rows]}


@app.route("/file")
def read_file():
    requested = (STATIC_DIR / request.args.get("name", "readme.txt")).resolve()
    if STATIC_DIR not in requested.parents:
        abort(404)
    return requested.read_text()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args()
    app.run(host="127.0.0.1", port=args.port)
