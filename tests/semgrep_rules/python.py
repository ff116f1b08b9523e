# Annotated examples for pipeline/tools/semgrep_rules/python.yaml (`semgrep --test`).
# "ruleid:" marks the next line as a required match, "ok:" as a line that must not match.
# Each taint rule has the variants a benchmark uses to catch false positives: a
# sanitised value, a tainted value overwritten by a constant, a branch that never
# runs, and the safe element of a collection that also holds a tainted one.
import codecs
import hashlib
import io
import json
import os
import pathlib
import pickle
import random
import secrets
import shlex
import sqlite3
import subprocess
import xml.dom.minidom
import xml.sax

import httpx
import jinja2
import ldap
import requests
import yaml
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect as django_redirect
from django.utils.safestring import mark_safe
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from flask import Flask, make_response, redirect, render_template, render_template_string, request, send_file, session
from ldap.filter import escape_filter_chars
from lxml import etree
from markupsafe import escape
from werkzeug.utils import secure_filename

app = Flask(__name__)
api = FastAPI()
db = sqlite3.connect(":memory:")


# ---- SQL injection -------------------------------------------------------------------------

@app.route("/users")
def users_by_concatenation():
    name = request.args.get("name")
    query = "SELECT * FROM users WHERE name = '" + name + "'"
    # ruleid: py-sql-injection
    db.execute(query)


@app.route("/users/fstring")
def users_by_fstring():
    # ruleid: py-sql-injection
    db.execute(f"SELECT * FROM users WHERE name = '{request.form['name']}'")


@app.route("/users/steps")
def users_in_steps():
    where = "name = '%s'" % request.cookies["who"]
    sql = "SELECT * FROM users WHERE "
    sql += where
    # ruleid: py-sql-injection
    db.cursor().execute(sql)


def users_query(name):
    return "SELECT * FROM users WHERE name = '{}'".format(name)


@app.route("/users/helper")
def users_through_helper():
    # ruleid: py-sql-injection
    db.execute(users_query(request.values["name"]))


def run_sql(statement):
    db.execute(statement)


@app.route("/users/helper-sink")
def users_through_helper_sink():
    # ruleid: py-sql-injection
    run_sql("DELETE FROM users WHERE id = " + request.args["id"])


@app.route("/users/container")
def users_through_container():
    parts = []
    parts.append(request.args["name"])
    # ruleid: py-sql-injection
    db.execute("SELECT * FROM users WHERE name = '%s'" % parts[0])


def django_view(request, username):
    # ruleid: py-sql-injection
    db.execute("SELECT * FROM users WHERE name = '%s'" % username)
    # ruleid: py-sql-injection
    db.execute("SELECT * FROM t WHERE q = '" + request.GET["q"] + "'")


@api.get("/items/{item}")
async def fastapi_item(item: str, page: int):
    # ruleid: py-sql-injection
    db.execute(f"SELECT * FROM items WHERE name = '{item}'")
    # ok: py-sql-injection
    db.execute(f"SELECT * FROM items LIMIT 10 OFFSET {page}")


@app.route("/users/safe")
def users_safe():
    name = request.args.get("name")
    # ok: py-sql-injection
    db.execute("SELECT * FROM users WHERE name = ?", (name,))
    # ok: py-sql-injection
    db.execute("SELECT * FROM users WHERE id = %d" % int(request.args["id"]))
    overwritten = request.args.get("name")
    overwritten = "alice"
    # ok: py-sql-injection
    db.execute("SELECT * FROM users WHERE name = '%s'" % overwritten)
    dead = "bob"
    if False:
        dead = request.args.get("name")
    # ok: py-sql-injection
    db.execute("SELECT * FROM users WHERE name = '%s'" % dead)
    mixed = ["safe", request.args.get("name")]
    # ok: py-sql-injection
    db.execute("SELECT * FROM users WHERE name = '%s'" % mixed[0])
    values = {"fixed": "carol", "input": request.args.get("name")}
    # ok: py-sql-injection
    db.execute("SELECT * FROM users WHERE name = '%s'" % values["fixed"])
    column = request.args.get("sort")
    if column in ("name", "email"):
        # ok: py-sql-injection
        db.execute("SELECT * FROM users ORDER BY " + column)


# ---- command injection ---------------------------------------------------------------------

@app.route("/ping")
def ping():
    host = request.args["host"]
    # ruleid: py-command-injection
    os.system("ping -c 1 " + host)
    # ruleid: py-command-injection
    subprocess.run(f"nslookup {host}", shell=True)
    # ruleid: py-command-injection
    subprocess.call(["sh", "-c", "dig " + host])
    # ok: py-command-injection
    subprocess.run(["ping", "-c", "1", host])
    # ok: py-command-injection
    os.system("ping -c 1 " + shlex.quote(host))
    constant = host
    constant = "localhost"
    # ok: py-command-injection
    os.system("ping -c 1 " + constant)


def run_ping(target):
    return os.system("ping -c 1 " + target)


@app.route("/ping/helper")
def ping_through_helper():
    # ruleid: py-command-injection
    run_ping(request.args["host"])
    # ok: py-command-injection
    run_ping("localhost")


# ---- XSS -----------------------------------------------------------------------------------

@app.route("/hello")
def hello():
    name = request.args.get("name", "")
    if name == "admin":
        # ruleid: py-flask-reflected-xss
        return "<h1>Hello " + name + "</h1>"
    if name == "x":
        # ruleid: py-flask-reflected-xss
        return make_response(f"<p>{name}</p>")
    if name == "y":
        # ok: py-flask-reflected-xss
        return "<h1>Hello " + escape(name) + "</h1>"
    # ok: py-flask-reflected-xss
    return render_template("hello.html", name=name)


def django_hello(request):
    # ruleid: py-flask-reflected-xss
    return HttpResponse("<p>" + request.GET.get("q", "") + "</p>")


@api.get("/page")
def fastapi_page(q: str):
    # ruleid: py-flask-reflected-xss
    return HTMLResponse(f"<p>{q}</p>")


def render_comment(comment):
    # ruleid: py-unescaped-html-output
    return mark_safe(comment.body)


def render_fixed():
    # ok: py-unescaped-html-output
    return mark_safe("<b>fixed</b>")


# ruleid: py-unescaped-html-output
unsafe_env = jinja2.Environment(autoescape=False)
# ok: py-unescaped-html-output
safe_env = jinja2.Environment(autoescape=True)


# ---- path traversal ------------------------------------------------------------------------

@app.route("/files")
def files():
    name = request.args["name"]
    base = "/srv/files"
    # ruleid: py-path-traversal
    open(os.path.join(base, name)).read()
    # ruleid: py-path-traversal
    codecs.open(base + "/" + name, encoding="utf-8")
    # ruleid: py-path-traversal
    io.open(f"{base}/{name}")
    # ruleid: py-path-traversal
    pathlib.Path(base, name).read_text()
    # ruleid: py-path-traversal
    send_file(os.path.join(base, name))
    # ok: py-path-traversal
    open(os.path.join(base, os.path.basename(name)))
    # ok: py-path-traversal
    send_file(os.path.join(base, secure_filename(name)))
    resolved = os.path.realpath(os.path.join(base, name))
    if not resolved.startswith(base + os.sep):
        return "no", 400
    # ok: py-path-traversal
    return open(resolved).read()


@app.route("/report/<report_id>")
def report(report_id):
    # ruleid: py-path-traversal
    return open("/srv/reports/" + report_id).read()


def read_report(name):
    handle = open("/srv/reports/" + name)
    return handle.read()


@app.route("/report/helper")
def report_through_helper():
    # ruleid: py-path-traversal
    content = read_report(request.args["name"])
    return {"size": len(content)}


@app.route("/report/helper/fixed")
def report_fixed():
    # ok: py-path-traversal
    return read_report("index.txt")


# ---- SSRF ----------------------------------------------------------------------------------

ALLOWED_HOSTS = {"api.example.com"}


@app.route("/fetch")
def fetch():
    url = request.args.get("url")
    # ruleid: py-ssrf
    requests.get(url, timeout=5)
    # ruleid: py-ssrf
    httpx.post(url, json={})
    # ok: py-ssrf
    requests.get("https://api.example.com/status", timeout=5)
    # ok: py-ssrf
    requests.get(f"https://api.example.com/users/{url}", timeout=5)
    if url in ALLOWED_HOSTS:
        # ok: py-ssrf
        requests.get(url, timeout=5)
    return ""


# ---- open redirect -------------------------------------------------------------------------

@app.route("/login")
def login():
    target = request.args.get("next", "/")
    if target == "a":
        # ruleid: py-open-redirect
        return redirect(target)
    if target in ("/home", "/account"):
        # ok: py-open-redirect
        return redirect(target)
    # ok: py-open-redirect
    return redirect("/home")


def django_login(request):
    # ruleid: py-open-redirect
    return HttpResponseRedirect(request.GET["next"])


def django_go(request):
    # ok: py-open-redirect
    return django_redirect("/dashboard")


# ---- NoSQL injection -----------------------------------------------------------------------

@app.route("/mongo", methods=["POST"])
def mongo(users):
    body = request.get_json()
    # ruleid: py-nosql-injection
    users.find_one({"user": body["user"], "password": body["password"]})
    # ok: py-nosql-injection
    users.find_one({"user": str(body["user"]), "password": str(body["password"])})
    # ruleid: py-nosql-where-injection
    users.find({"$where": "this.name == '" + request.args["name"] + "'"})
    # ok: py-nosql-where-injection
    users.find({"$where": "this.age > 18"})


# ---- code injection ------------------------------------------------------------------------

@app.route("/calc")
def calc():
    expression = request.args["expr"]
    # ruleid: py-code-injection
    eval(expression)
    # ruleid: py-code-injection
    exec("result = " + expression)
    # ok: py-code-injection
    eval("1 + 2")
    number = int(request.args["n"])
    # ok: py-code-injection
    eval(f"{number} * 2")


# ---- template injection --------------------------------------------------------------------

@app.route("/greet")
def greet():
    name = request.args["name"]
    if name == "a":
        # ruleid: py-template-injection
        return render_template_string("<p>Hello " + name + "</p>")
    if name == "b":
        # ruleid: py-template-injection
        return jinja2.Template(f"Hi {name}").render()
    # ok: py-template-injection
    return render_template_string("<p>Hello {{ name }}</p>", name=name)


# ---- XPath injection -----------------------------------------------------------------------

@app.route("/xpath")
def xpath_lookup():
    tree = etree.parse("users.xml")
    user = request.args["user"]
    # ruleid: py-xpath-injection
    tree.xpath("//user[@name='" + user + "']")
    # ok: py-xpath-injection
    tree.xpath("//user[@name=$name]", name=user)
    return ""


# ---- LDAP injection ------------------------------------------------------------------------

@app.route("/ldap")
def ldap_lookup():
    conn = ldap.initialize("ldap://localhost")
    user = request.args["user"]
    # ruleid: py-ldap-injection
    conn.search_s("dc=example,dc=com", ldap.SCOPE_SUBTREE, "(uid=" + user + ")")
    # ok: py-ldap-injection
    conn.search_s("dc=example,dc=com", ldap.SCOPE_SUBTREE, "(uid=" + escape_filter_chars(user) + ")")
    return ""


# ---- XXE -----------------------------------------------------------------------------------

def parse_xml(data):
    # ruleid: py-xxe
    parser = etree.XMLParser(resolve_entities=True)
    # ok: py-xxe
    safe_parser = etree.XMLParser(resolve_entities=False, no_network=True)
    # ruleid: py-xxe
    xml.dom.minidom.parseString(data)
    # ruleid: py-xxe
    xml.sax.parseString(data, xml.sax.ContentHandler())
    # ok: py-xxe
    json.loads(data)
    return parser, safe_parser


# ---- deserialisation -----------------------------------------------------------------------

def load_blobs(blob, text):
    # ruleid: py-unsafe-deserialization
    pickle.loads(blob)
    # ruleid: py-unsafe-deserialization
    yaml.load(text, Loader=yaml.Loader)
    # ruleid: py-unsafe-deserialization
    yaml.load(text, yaml.UnsafeLoader)
    # ruleid: py-unsafe-deserialization
    yaml.load(text, Loader=yaml.FullLoader)
    # ok: py-unsafe-deserialization
    yaml.load(text, Loader=yaml.SafeLoader)
    # ok: py-unsafe-deserialization
    yaml.load(text, yaml.SafeLoader)
    # ok: py-unsafe-deserialization
    yaml.safe_load(text)
    # ok: py-unsafe-deserialization
    json.loads(text)


# ---- weak hash -----------------------------------------------------------------------------

def digests(password, content):
    # ruleid: py-weak-hash
    hashlib.md5(password.encode()).hexdigest()
    # ruleid: py-weak-hash
    hashlib.sha1(password.encode())
    # ruleid: py-weak-hash
    hashlib.new("md5", password.encode())
    # ok: py-weak-hash
    hashlib.md5(content, usedforsecurity=False)
    # ok: py-weak-hash
    hashlib.sha256(password.encode())
    # ok: py-weak-hash
    hashlib.new("sha256", content)


# ---- weak random ---------------------------------------------------------------------------

def new_reset_token():
    # ruleid: py-weak-random
    return "".join(random.choice("abcdef0123456789") for _ in range(32))


def make_session():
    # ruleid: py-weak-random
    session_id = random.getrandbits(128)
    # ok: py-weak-random
    token = secrets.token_hex(16)
    return session_id, token


def shuffle_cards(cards):
    # ok: py-weak-random
    delay = random.uniform(0.1, 0.5)
    return delay


# ---- cookie flags --------------------------------------------------------------------------

@app.route("/cookie")
def cookie():
    response = make_response("ok")
    # ruleid: py-cookie-without-secure, py-cookie-without-httponly
    response.set_cookie("session", "abc")
    # ruleid: py-cookie-without-secure
    response.set_cookie("prefs", "dark", httponly=True, secure=False)
    # ruleid: py-cookie-without-httponly
    response.set_cookie("sid", "abc", secure=True)
    # ok: py-cookie-without-secure, py-cookie-without-httponly
    response.set_cookie("sid", "abc", secure=True, httponly=True, samesite="Lax")
    # ok: py-cookie-without-httponly
    response.set_cookie("theme", "dark", httponly=True, secure=True)
    return response


# ruleid: py-cookie-without-secure
SESSION_COOKIE_SECURE = False
# ok: py-cookie-without-secure
CSRF_COOKIE_SECURE = True


# ---- trust boundary ------------------------------------------------------------------------

@app.route("/remember")
def remember():
    # ruleid: py-trust-boundary-violation
    session["role"] = request.args["role"]
    # ok: py-trust-boundary-violation
    session["page"] = int(request.args["page"])
    theme = request.args["theme"]
    if theme in ("dark", "light"):
        # ok: py-trust-boundary-violation
        session["theme"] = theme
    return ""


def django_remember(request):
    # ruleid: py-trust-boundary-violation
    request.session["user"] = request.POST["user"]


# ---- file upload ---------------------------------------------------------------------------

ALLOWED_EXTENSIONS = {"png", "jpg"}


def allowed_file(filename):
    return "." in filename and filename.rsplit(".", 1)[1].lower() in ALLOWED_EXTENSIONS


@app.route("/upload", methods=["POST"])
def upload():
    upload_file = request.files["file"]
    # ruleid: py-unrestricted-file-upload
    upload_file.save(os.path.join("/srv/uploads", upload_file.filename))
    return ""


@app.route("/upload/checked", methods=["POST"])
def upload_checked():
    checked = request.files["file"]
    if checked and allowed_file(checked.filename):
        # ok: py-unrestricted-file-upload
        checked.save(os.path.join("/srv/uploads", secure_filename(checked.filename)))
    return ""


# ---- hard-coded secrets --------------------------------------------------------------------

# ruleid: py-hardcoded-secret
DB_PASSWORD = "s3cr3t-Passw0rd!"
# ruleid: py-hardcoded-secret
settings = {"api_key": "sk_live_51HqLyjWDarjtT1zdp7dc"}
# ruleid: py-hardcoded-secret
client = requests.Session().post("https://x.example", auth=None, data={}, headers={}, timeout=3, password="hunter2hunter2")
# ok: py-hardcoded-secret
API_TOKEN = os.environ.get("API_TOKEN")
# ok: py-hardcoded-secret
PASSWORD_FIELD = "password_hash"
# ok: py-hardcoded-secret
SECRET_KEY = "${SECRET_KEY}"


# ---- TLS -----------------------------------------------------------------------------------

def insecure_fetch():
    # ruleid: py-tls-verification-disabled
    requests.get("https://internal.example", verify=False, timeout=5)
    # ok: py-tls-verification-disabled
    requests.get("https://internal.example", timeout=5)
