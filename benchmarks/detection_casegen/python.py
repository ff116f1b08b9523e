"""Python cases: Flask, Django and FastAPI handlers."""
from __future__ import annotations

from benchmarks.detection_casegen.model import Flow, Language, Renderer, Sink, SnippetClass, Source, TaintClass

PROLOGUE = ("# secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).\n"
            "import ast\nimport html\nimport os\nimport shlex\n\nfrom flask import jsonify, redirect, render_template, url_for\n")
FLASK = "from flask import Flask, request\n\napp = Flask(__name__)\n"
FASTAPI = "from fastapi import FastAPI\n\napp = FastAPI()\n"

SOURCES = (
    Source("flask-args", FLASK, '@app.route("/case")\ndef handler():', 'request.args.get("q", "")'),
    Source("flask-form", FLASK, '@app.route("/case", methods=["POST"])\ndef handler():', 'request.form["q"]'),
    Source("django-get", "", "def handler(request):", 'request.GET.get("q", "")'),
    Source("fastapi-param", FASTAPI, '@app.get("/case")\ndef handler(q: str):', "q"),
    Source("flask-cookie", FLASK, '@app.route("/case")\ndef handler():', 'request.cookies.get("q", "")'),
    Source("django-post", "", "def handler(request):", 'request.POST["q"]'),
    Source("flask-view-arg", FLASK, '@app.route("/case/<q>")\ndef handler(q):', "q"),
    Source("flask-headers", FLASK, '@app.route("/case")\ndef handler():', 'request.headers.get("X-Q", "")'),
)

TRUE_FLOWS = (
    Flow("direct", (), "SRC"),
    Flow("variable", ("value = SRC",), "value"),
    Flow("two-steps", ("first = SRC", "value = first.strip()"), "value"),
    Flow("fstring", ('value = f"{SRC}"',), "value"),
    Flow("percent", ('value = "%s" % SRC',), "value"),
    Flow("format", ('value = "{}".format(SRC)',), "value"),
    Flow("append-steps", ('value = ""', "value += SRC"), "value"),
    Flow("list", ("items = []", "items.append(SRC)"), "items[0]"),
    Flow("dict", ('data = {"key": SRC}',), 'data["key"]'),
    Flow("helper", (), "passthrough(SRC)", module="def passthrough(text):\n    return text.strip()\n"),
    # PEP 701: the same quotes inside the f-string's braces; only Python 3.12+ parses it.
    Flow("pep701-fstring", ('value = f"{" ".join([SRC, "x"])}"',), "value"),
)

FALSE_FLOWS = (
    Flow("overwritten", ("value = SRC", 'value = "fixed"'), "value"),
    Flow("dead-branch", ('value = "fixed"', "if False:", "    value = SRC"), "value"),
    Flow("safe-list-element", ('items = ["fixed", SRC]',), "items[0]"),
    Flow("safe-dict-value", ('data = {"safe": "fixed", "user": SRC}',), 'data["safe"]'),
    Flow("unused", ("unused = SRC",), '"fixed"'),
)

DB = "import sqlite3\n\ncursor = sqlite3.connect(':memory:').cursor()\n"

TAINT = (
    TaintClass("sqli", 89, (
        Sink("execute-concat", ("cursor.execute(\"SELECT * FROM users WHERE name = '\" + VALUE + \"'\")",), DB),
        Sink("execute-built", ("sql = \"SELECT * FROM users WHERE name = '%s'\" % VALUE", "cursor.execute(sql)"), DB),
        Sink("executemany", ("cursor.executemany(\"DELETE FROM t WHERE k = '\" + VALUE + \"'\", [()])",), DB),
    ), sanitised=(
        Flow("parameterised", ('cursor.execute("SELECT * FROM users WHERE name = ?", (SRC,))',), ""),
        Flow("int", ('cursor.execute("SELECT * FROM users WHERE id = %d" % int(SRC))',), ""),
        Flow("allow-list", ("column = SRC", 'if column in ("name", "email"):',
                            '    cursor.execute("SELECT * FROM users ORDER BY " + column)'), ""),
    )),
    TaintClass("command-injection", 78, (
        Sink("os-system", ('os.system("ping -c 1 " + VALUE)',), "import os\n"),
        Sink("shell-true", ('subprocess.run("nslookup " + VALUE, shell=True)',), "import subprocess\n"),
        Sink("popen", ('os.popen("host " + VALUE).read()',), "import os\n"),
    ), sanitised=(
        Flow("shlex-quote", ('os.system("ping -c 1 " + shlex.quote(SRC))',), ""),
        Flow("allow-list", ("host = SRC", 'if host in ("localhost", "example.com"):', '    os.system("ping -c 1 " + host)'), ""),
    )),
    TaintClass("path-traversal", 22, (
        Sink("open", ('return open("/srv/files/" + VALUE).read()',)),
        Sink("codecs-open", ('return codecs.open(os.path.join("/srv/files", VALUE)).read()',), "import codecs\nimport os\n"),
        Sink("pathlib", ('return pathlib.Path("/srv/files", VALUE).read_text()',), "import pathlib\n"),
        Sink("io-open", ('return io.open("/srv/files/" + VALUE).read()',), "import io\n"),
    ), sanitised=(
        Flow("basename", ('return open(os.path.join("/srv/files", os.path.basename(SRC))).read()',), ""),
        Flow("prefix-check", ('path = os.path.realpath(os.path.join("/srv/files", SRC))',
                              'if not path.startswith("/srv/files/"):', '    return ""', "return open(path).read()"), ""),
    )),
    TaintClass("ssrf", 918, (
        Sink("requests-get", ("return requests.get(VALUE, timeout=5).text",), "import requests\n"),
        Sink("urlopen", ("return urllib.request.urlopen(VALUE).read()",), "import urllib.request\n"),
        Sink("httpx-post", ("return httpx.post(VALUE, json={}).text",), "import httpx\n"),
    ), sanitised=(
        Flow("allow-list", ("url = SRC", 'if url in ("https://api.example.com/a", "https://api.example.com/b"):',
                            "    return requests.get(url, timeout=5).text", 'return ""'), ""),
        Flow("fixed-host", ('return requests.get("https://api.example.com/items/" + SRC, timeout=5).text',), ""),
    )),
    TaintClass("open-redirect", 601, (
        Sink("flask-redirect", ("return redirect(VALUE)",), "from flask import redirect\n"),
        Sink("django-redirect", ("return HttpResponseRedirect(VALUE)",), "from django.http import HttpResponseRedirect\n"),
    ), sanitised=(
        Flow("allow-list", ("target = SRC", 'if target in ("/home", "/account"):', "    return redirect(target)",
                            'return redirect("/")'), ""),
        Flow("url-for", ('return redirect(url_for("index"))',), ""),
    )),
    # A string a Flask view returns is sent as text/html (FastAPI would send JSON): Flask sources only.
    TaintClass("xss", 79, (
        Sink("return-html", ('return "<p>" + VALUE + "</p>"',)),
        Sink("make-response", ('return make_response("<h1>" + VALUE + "</h1>")',), "from flask import make_response\n"),
        Sink("markup", ('return Markup("<b>%s</b>" % VALUE)',), "from markupsafe import Markup\n"),
    ), sources=tuple(s for s in SOURCES if s.name.startswith("flask")), sanitised=(
        Flow("escape", ('return "<p>" + html.escape(SRC) + "</p>"',), ""),
        Flow("template", ('return render_template("page.html", q=SRC)',), ""),
        Flow("jsonify", ("return jsonify({'q': SRC})",), ""),
    )),
    TaintClass("nosqli", 943, (
        Sink("find-one", ('return str(users.find_one({"$where": "this.name == \'" + VALUE + "\'"}))',),
             "from pymongo import MongoClient\n\nusers = MongoClient().app.users\n"),
        Sink("find", ('return str(list(users.find({"$where": "this.role == \'%s\'" % VALUE})))',),
             "from pymongo import MongoClient\n\nusers = MongoClient().app.users\n"),
    ), sanitised=(
        Flow("string-value", ('return str(users.find_one({"name": str(SRC)}))',), ""),
        Flow("int-where", ('return str(users.find_one({"$where": "this.age > %d" % int(SRC)}))',), ""),
    )),
    TaintClass("code-injection", 95, (
        Sink("eval", ("return str(eval(VALUE))",)),
        Sink("exec", ('exec("result = " + VALUE)', 'return ""')),
        Sink("compile", ('return str(compile(VALUE, "<input>", "eval"))',)),
    ), sanitised=(
        Flow("literal-eval", ("return str(ast.literal_eval(SRC))",), ""),
        Flow("int", ('return str(eval("%d * 2" % int(SRC)))',), ""),
    )),
    TaintClass("template-injection", 1336, (
        Sink("render-template-string", ('return render_template_string("<p>" + VALUE + "</p>")',),
             "from flask import render_template_string\n"),
        Sink("jinja2-template", ('return jinja2.Template("Hello " + VALUE).render()',), "import jinja2\n"),
    ), sanitised=(
        Flow("variable", ('return render_template_string("<p>{{ q }}</p>", q=SRC)',), ""),
        Flow("jinja2-variable", ('return jinja2.Template("Hello {{ q }}").render(q=SRC)',), ""),
    )),
    TaintClass("xpath-injection", 643, (
        Sink("lxml-xpath", ("return str(tree.xpath(\"//user[@name='\" + VALUE + \"']\"))",),
             "from lxml import etree\n\ntree = etree.parse('users.xml')\n"),
        Sink("lxml-XPath", ("return str(etree.XPath(\"//user[@id='%s']\" % VALUE)(tree))",),
             "from lxml import etree\n\ntree = etree.parse('users.xml')\n"),
    ), sanitised=(
        Flow("xpath-variable", ('return str(tree.xpath("//user[@name=$name]", name=SRC))',), ""),
        Flow("int", ('return str(tree.xpath("//user[@id=%d]" % int(SRC)))',), ""),
    )),
    TaintClass("ldap-injection", 90, (
        Sink("search-s", ('return str(conn.search_s("dc=example,dc=com", ldap.SCOPE_SUBTREE, "(uid=" + VALUE + ")"))',),
             "import ldap\n\nconn = ldap.initialize('ldap://127.0.0.1')\n"),
        Sink("ldap3-search", ('conn.search("dc=example,dc=com", "(cn=%s)" % VALUE)', 'return ""'),
             "import ldap3\n\nconn = ldap3.Connection(ldap3.Server('127.0.0.1'))\n"),
    ), sanitised=(
        Flow("escape-filter-chars", ('return str(conn.search_s("dc=example,dc=com", ldap.SCOPE_SUBTREE, '
                                     '"(uid=" + ldap.filter.escape_filter_chars(SRC) + ")"))',), ""),
        Flow("filter-format", ('return str(conn.search_s("dc=example,dc=com", ldap.SCOPE_SUBTREE, '
                               'ldap.filter.filter_format("(uid=%s)", [SRC])))',), ""),
    )),
    TaintClass("trust-boundary", 501, (
        Sink("flask-session", ('session["role"] = VALUE', 'return ""'), "from flask import session\n"),
        Sink("flask-session-update", ('session.update({"user": VALUE})', 'return ""'), "from flask import session\n"),
    ), sources=tuple(s for s in SOURCES if s.name.startswith("flask")), sanitised=(
        Flow("int", ('session["page"] = int(SRC)', 'return ""'), ""),
        Flow("allow-list", ("theme = SRC", 'if theme in ("dark", "light"):', '    session["theme"] = theme', 'return ""'), ""),
    )),
)

_FLASK_UPLOAD = FLASK + "import os\n\nfrom werkzeug.utils import secure_filename\n"
_UPLOAD_CHECK = ('ALLOWED = {"png", "jpg", "gif"}\n\n\ndef allowed_file(name):\n'
                 '    return "." in name and name.rsplit(".", 1)[1].lower() in ALLOWED\n')


def _upload(route: str, body: str, extra: str = "") -> str:
    return f'{_FLASK_UPLOAD}{extra}\n\n@app.route("/{route}", methods=["POST"])\ndef handler():\n{body}'


SNIPPETS = (
    SnippetClass("xxe", 611, true=(
        ("lxml-resolve-entities", "from lxml import etree\n\n\ndef parse(data):\n    parser = etree.XMLParser(resolve_entities=True)\n    return etree.fromstring(data, parser)\n"),
        ("lxml-default-parser", "from lxml import etree\n\n\ndef parse(data):\n    return etree.fromstring(data)\n"),
        ("lxml-parse-upload", "from lxml import etree\n\n\ndef parse(upload):\n    return etree.parse(upload)\n"),
        ("lxml-dtd-load", "from lxml import etree\n\n\ndef parse(data):\n    parser = etree.XMLParser(load_dtd=True)\n    return etree.fromstring(data, parser)\n"),
        ("minidom-string", "import xml.dom.minidom\n\n\ndef parse(data):\n    return xml.dom.minidom.parseString(data)\n"),
        ("minidom-file", "from xml.dom import minidom\n\n\ndef parse(path):\n    return minidom.parse(path)\n"),
        ("sax-string", "import xml.sax\n\n\ndef parse(data, handler):\n    xml.sax.parseString(data, handler)\n"),
        ("sax-external-ges", "import xml.sax\nfrom xml.sax.handler import feature_external_ges\n\n\ndef parse(stream, handler):\n    parser = xml.sax.make_parser()\n    parser.setFeature(feature_external_ges, True)\n    parser.setContentHandler(handler)\n    parser.parse(stream)\n"),
        ("pulldom", "from xml.dom import pulldom\n\n\ndef parse(data):\n    return list(pulldom.parseString(data))\n"),
        ("lxml-xml", "from lxml import etree\n\n\ndef parse(data):\n    return etree.XML(data)\n"),
        ("sax-parse", "import xml.sax\n\n\ndef parse(stream, handler):\n    xml.sax.parse(stream, handler)\n"),
    ), false=(
        ("defusedxml-fromstring", "import defusedxml.ElementTree\n\n\ndef parse(data):\n    return defusedxml.ElementTree.fromstring(data)\n"),
        ("defusedxml-minidom", "import defusedxml.minidom\n\n\ndef parse(data):\n    return defusedxml.minidom.parseString(data)\n"),
        ("lxml-safe-parser", "from lxml import etree\n\n\ndef make_parser():\n    return etree.XMLParser(resolve_entities=False, no_network=True)\n"),
        ("defusedxml-sax", "import defusedxml.sax\n\n\ndef parse(data, handler):\n    defusedxml.sax.parseString(data, handler)\n"),
        ("json", "import json\n\n\ndef parse(data):\n    return json.loads(data)\n"),
        ("defusedxml-parse", "from defusedxml import ElementTree\n\n\ndef parse(path):\n    return ElementTree.parse(path)\n"),
        ("defusedxml-lxml-free", "import defusedxml.pulldom\n\n\ndef parse(data):\n    return list(defusedxml.pulldom.parseString(data))\n"),
        ("xml-escape", "from xml.sax.saxutils import escape\n\n\ndef text(value):\n    return escape(value)\n"),
        ("toml", "import tomllib\n\n\ndef parse(data):\n    return tomllib.loads(data)\n"),
        ("csv", "import csv\nimport io\n\n\ndef parse(data):\n    return list(csv.reader(io.StringIO(data)))\n"),
    )),
    SnippetClass("deserialization", 502, true=(
        ("pickle-loads", "import pickle\n\n\ndef load(blob):\n    return pickle.loads(blob)\n"),
        ("pickle-load", "import pickle\n\n\ndef load(handle):\n    return pickle.load(handle)\n"),
        ("yaml-load-loader", "import yaml\n\n\ndef load(text):\n    return yaml.load(text, Loader=yaml.Loader)\n"),
        ("yaml-load-positional", "import yaml\n\n\ndef load(text):\n    return yaml.load(text, yaml.UnsafeLoader)\n"),
        ("yaml-full-loader", "import yaml\n\n\ndef load(text):\n    return yaml.load(text, Loader=yaml.FullLoader)\n"),
        ("yaml-unsafe-load", "import yaml\n\n\ndef load(text):\n    return yaml.unsafe_load(text)\n"),
        ("marshal", "import marshal\n\n\ndef load(blob):\n    return marshal.loads(blob)\n"),
        ("shelve", "import shelve\n\n\ndef load(path):\n    return dict(shelve.open(path))\n"),
        ("dill", "import dill\n\n\ndef load(blob):\n    return dill.loads(blob)\n"),
        ("jsonpickle", "import jsonpickle\n\n\ndef load(text):\n    return jsonpickle.decode(text)\n"),
        ("yaml-load-all", "import yaml\n\n\ndef load(text):\n    return list(yaml.load_all(text, Loader=yaml.Loader))\n"),
    ), false=(
        ("json", "import json\n\n\ndef load(text):\n    return json.loads(text)\n"),
        ("yaml-safe-load", "import yaml\n\n\ndef load(text):\n    return yaml.safe_load(text)\n"),
        ("yaml-safe-loader", "import yaml\n\n\ndef load(text):\n    return yaml.load(text, Loader=yaml.SafeLoader)\n"),
        ("yaml-safe-positional", "import yaml\n\n\ndef load(text):\n    return yaml.load(text, yaml.SafeLoader)\n"),
        ("yaml-csafe-loader", "import yaml\n\n\ndef load(text):\n    return yaml.load(text, Loader=yaml.CSafeLoader)\n"),
        ("yaml-safe-load-all", "import yaml\n\n\ndef load(text):\n    return list(yaml.safe_load_all(text))\n"),
        ("yaml-base-loader", "import yaml\n\n\ndef load(text):\n    return yaml.load(text, Loader=yaml.BaseLoader)\n"),
        ("ast-literal-eval", "import ast\n\n\ndef load(text):\n    return ast.literal_eval(text)\n"),
        ("tomllib", "import tomllib\n\n\ndef load(text):\n    return tomllib.loads(text)\n"),
        ("json-load", "import json\n\n\ndef load(handle):\n    return json.load(handle)\n"),
    )),
    SnippetClass("weak-hash", 328, true=tuple(
        (f"{form}-{data}", f"import hashlib\n\n\ndef digest({data}):\n    return {call.format(data)}\n")
        for (form, call), data in zip(
            (("md5", "hashlib.md5({}.encode()).hexdigest()"), ("sha1", "hashlib.sha1({}.encode()).hexdigest()"),
             ("new-md5", 'hashlib.new("md5", {}.encode()).hexdigest()'), ("new-sha1", 'hashlib.new("sha1", {}.encode()).digest()'),
             ("md5-update", "hashlib.md5().update({}.encode())"), ("sha1-digest", "hashlib.sha1({}.encode()).digest()"),
             ("new-md4", 'hashlib.new("md4", {}.encode()).hexdigest()'), ("md5-bytes", "hashlib.md5({}).hexdigest()"),
             ("sha1-bytes", "hashlib.sha1({}).hexdigest()"), ("new-MD5", 'hashlib.new("MD5", {}).hexdigest()')),
            ("password", "token", "secret", "password", "api_key", "password", "session_id", "password", "token", "pin"),
            strict=True)) + (
        ("cryptography-md5", "from cryptography.hazmat.primitives import hashes\n\n\ndef algorithm():\n    return hashes.MD5()\n"),
    ), false=tuple(
        (f"{form}-{data}", f"import hashlib\n\n\ndef digest({data}):\n    return {call.format(data)}\n")
        for (form, call), data in zip(
            (("sha256", "hashlib.sha256({}.encode()).hexdigest()"), ("sha512", "hashlib.sha512({}.encode()).hexdigest()"),
             ("blake2b", "hashlib.blake2b({}.encode()).hexdigest()"), ("sha3", "hashlib.sha3_256({}.encode()).hexdigest()"),
             ("new-sha256", 'hashlib.new("sha256", {}.encode()).hexdigest()'),
             ("md5-not-for-security", "hashlib.md5({}, usedforsecurity=False).hexdigest()"),
             ("sha1-not-for-security", "hashlib.sha1({}, usedforsecurity=False).hexdigest()"),
             ("scrypt", 'hashlib.scrypt({}.encode(), salt=b"s" * 16, n=2**14, r=8, p=1)'),
             ("pbkdf2", 'hashlib.pbkdf2_hmac("sha256", {}.encode(), b"salt", 600000)'),
             ("sha384", "hashlib.sha384({}.encode()).hexdigest()")),
            ("password", "token", "content", "password", "secret", "content", "chunk", "password", "password", "data"),
            strict=True))),
    SnippetClass("weak-random", 338, true=(
        ("token-choice", 'import random\nimport string\n\n\ndef new_token():\n    return "".join(random.choice(string.ascii_letters) for _ in range(32))\n'),
        ("session-getrandbits", "import random\n\n\ndef login():\n    session_id = random.getrandbits(128)\n    return session_id\n"),
        ("reset-code-randint", "import random\n\n\ndef send_reset():\n    reset_code = random.randint(100000, 999999)\n    return reset_code\n"),
        ("password-sample", 'import random\nimport string\n\n\ndef generate_password():\n    return "".join(random.sample(string.ascii_letters + string.digits, 12))\n'),
        ("api-key-random", "import random\n\n\ndef issue():\n    api_key = str(random.random())[2:]\n    return api_key\n"),
        ("otp-randrange", "import random\n\n\ndef otp():\n    return random.randrange(1000000)\n"),
        ("salt-randbytes", "import random\n\n\ndef hash_it(pw):\n    salt = random.randbytes(16)\n    return salt, pw\n"),
        ("csrf-choices", 'import random\n\n\ndef form():\n    csrf = "".join(random.choices("abcdef0123456789", k=32))\n    return csrf\n'),
        ("nonce-random", "import random\n\n\ndef sign():\n    nonce = int(random.random() * 10**12)\n    return nonce\n"),
        ("dict-token", 'import random\n\n\ndef invite():\n    return {"token": random.getrandbits(64)}\n'),
        ("verification-code", "import random\n\n\ndef verify_email():\n    verification_code = random.randint(0, 9999)\n    return verification_code\n"),
    ), false=(
        ("secrets-token", "import secrets\n\n\ndef new_token():\n    return secrets.token_urlsafe(32)\n"),
        ("secrets-choice", 'import secrets\nimport string\n\n\ndef generate_password():\n    return "".join(secrets.choice(string.ascii_letters) for _ in range(16))\n'),
        ("system-random", "import random\n\n\ndef new_token():\n    return random.SystemRandom().getrandbits(128)\n"),
        ("urandom", "import os\n\n\ndef salt():\n    return os.urandom(16)\n"),
        ("uuid4", "import uuid\n\n\ndef session_id():\n    return uuid.uuid4().hex\n"),
        ("shuffle-quiz", "import random\n\n\ndef quiz(questions):\n    order = list(questions)\n    random.shuffle(order)\n    return order\n"),
        ("jitter", "import random\n\n\ndef backoff(attempt):\n    delay = 2 ** attempt + random.uniform(0, 1)\n    return delay\n"),
        ("sample-rows", "import random\n\n\ndef preview(rows):\n    return random.sample(rows, 5)\n"),
        ("secrets-randbelow", "import secrets\n\n\ndef otp():\n    return secrets.randbelow(1000000)\n"),
        ("dice", "import random\n\n\ndef roll():\n    dice = random.randint(1, 6)\n    return dice\n"),
    )),
    SnippetClass("cookie-flags", 614, true=(
        ("no-flags", FLASK + '\n\n@app.route("/")\ndef index():\n    response = app.make_response("ok")\n    response.set_cookie("session", "abc")\n    return response\n'),
        ("secure-false", FLASK + '\n\n@app.route("/")\ndef index():\n    response = app.make_response("ok")\n    response.set_cookie("session", "abc", secure=False, httponly=True)\n    return response\n'),
        ("no-httponly", FLASK + '\n\n@app.route("/")\ndef index():\n    response = app.make_response("ok")\n    response.set_cookie("sid", "abc", secure=True)\n    return response\n'),
        ("httponly-false", FLASK + '\n\n@app.route("/")\ndef index():\n    response = app.make_response("ok")\n    response.set_cookie("sid", "abc", secure=True, httponly=False)\n    return response\n'),
        ("max-age-only", FLASK + '\n\n@app.route("/")\ndef index():\n    response = app.make_response("ok")\n    response.set_cookie("remember", "1", max_age=3600)\n    return response\n'),
        ("django-no-flags", 'from django.http import HttpResponse\n\n\ndef view(request):\n    response = HttpResponse("ok")\n    response.set_cookie("sessionid", "abc")\n    return response\n'),
        ("django-secure-only", 'from django.http import HttpResponse\n\n\ndef view(request):\n    response = HttpResponse("ok")\n    response.set_cookie("sessionid", "abc", secure=True)\n    return response\n'),
        ("django-settings-secure", "SESSION_COOKIE_SECURE = False\nSESSION_COOKIE_HTTPONLY = True\n"),
        ("django-settings-httponly", "SESSION_COOKIE_SECURE = True\nSESSION_COOKIE_HTTPONLY = False\n"),
        ("flask-config", FLASK + '\napp.config["SESSION_COOKIE_SECURE"] = False\n'),
        ("samesite-only", FLASK + '\n\n@app.route("/")\ndef index():\n    response = app.make_response("ok")\n    response.set_cookie("pref", "x", samesite="Lax")\n    return response\n'),
    ), false=(
        ("both-flags", FLASK + '\n\n@app.route("/")\ndef index():\n    response = app.make_response("ok")\n    response.set_cookie("session", "abc", secure=True, httponly=True)\n    return response\n'),
        ("both-flags-samesite", FLASK + '\n\n@app.route("/")\ndef index():\n    response = app.make_response("ok")\n    response.set_cookie("sid", "x", secure=True, httponly=True, samesite="Strict")\n    return response\n'),
        ("django-both", 'from django.http import HttpResponse\n\n\ndef view(request):\n    response = HttpResponse("ok")\n    response.set_cookie("sessionid", "abc", secure=True, httponly=True)\n    return response\n'),
        ("django-settings-on", "SESSION_COOKIE_SECURE = True\nSESSION_COOKIE_HTTPONLY = True\nCSRF_COOKIE_SECURE = True\n"),
        ("flask-config-on", FLASK + '\napp.config["SESSION_COOKIE_SECURE"] = True\napp.config["SESSION_COOKIE_HTTPONLY"] = True\n'),
        ("delete-cookie", FLASK + '\n\n@app.route("/logout")\ndef logout():\n    response = app.make_response("bye")\n    response.delete_cookie("session")\n    return response\n'),
        ("read-cookie", FLASK + '\n\n@app.route("/")\ndef index():\n    return {"theme": request.cookies.get("theme", "light")}\n'),
        ("both-flags-max-age", FLASK + '\n\n@app.route("/")\ndef index():\n    response = app.make_response("ok")\n    response.set_cookie("remember", "1", max_age=3600, secure=True, httponly=True)\n    return response\n'),
        ("django-both-samesite", 'from django.http import HttpResponse\n\n\ndef view(request):\n    response = HttpResponse("ok")\n    response.set_cookie("csrftoken", "x", secure=True, httponly=True, samesite="Lax")\n    return response\n'),
        ("header-only", FLASK + '\n\n@app.route("/")\ndef index():\n    response = app.make_response("ok")\n    response.headers["Cache-Control"] = "no-store"\n    return response\n'),
    )),
    SnippetClass("file-upload", 434, true=(
        ("save-filename", _upload("u1", '    f = request.files["file"]\n    f.save(os.path.join("/srv/uploads", f.filename))\n    return ""\n')),
        ("save-secure-filename", _upload("u2", '    f = request.files["file"]\n    f.save(os.path.join("/srv/uploads", secure_filename(f.filename)))\n    return ""\n')),
        ("save-get", _upload("u3", '    f = request.files.get("avatar")\n    f.save("/srv/uploads/" + f.filename)\n    return ""\n')),
        ("save-loop", _upload("u4", '    for f in request.files.getlist("docs"):\n        f.save(os.path.join("/srv/uploads", f.filename))\n    return ""\n')),
        ("save-fixed-dir", _upload("u5", '    upload = request.files["upload"]\n    upload.save(os.path.join(app.root_path, "static", upload.filename))\n    return ""\n')),
        ("save-size-check", _upload("u6", '    f = request.files["file"]\n    if f.content_length < 10_000_000:\n        f.save(os.path.join("/srv/uploads", f.filename))\n    return ""\n')),
        ("django-files", 'import os\n\n\ndef upload(request):\n    f = request.FILES["file"]\n    f.save(os.path.join("/srv/uploads", f.name))\n'),
        ("save-stream", _upload("u7", '    f = request.files["file"]\n    f.save(f"/srv/uploads/{f.filename}")\n    return ""\n')),
        ("save-name-field", _upload("u8", '    f = request.files["file"]\n    name = request.form.get("name", f.filename)\n    f.save(os.path.join("/srv/uploads", name))\n    return ""\n')),
        ("save-uuid-keep-ext", _upload("u9", '    f = request.files["file"]\n    ext = os.path.splitext(f.filename)[1]\n    f.save(os.path.join("/srv/uploads", "upload" + ext))\n    return ""\n')),
    ), false=(
        ("allowed-file", _upload("s1", '    f = request.files["file"]\n    if f and allowed_file(f.filename):\n        f.save(os.path.join("/srv/uploads", secure_filename(f.filename)))\n    return ""\n', _UPLOAD_CHECK)),
        ("not-allowed-leaves", _upload("s2", '    f = request.files["file"]\n    if not allowed_file(f.filename):\n        return "no", 400\n    f.save(os.path.join("/srv/uploads", secure_filename(f.filename)))\n    return ""\n', _UPLOAD_CHECK)),
        ("ext-in-allowed", _upload("s3", '    f = request.files["file"]\n    ext = f.filename.rsplit(".", 1)[-1].lower()\n    if ext in {"png", "jpg"}:\n        f.save(os.path.join("/srv/uploads", "img." + ext))\n    return ""\n')),
        ("ext-not-in-leaves", _upload("s4", '    f = request.files["file"]\n    ext = f.filename.rsplit(".", 1)[-1].lower()\n    if ext not in {"png", "jpg"}:\n        return "no", 400\n    f.save(os.path.join("/srv/uploads", "img." + ext))\n    return ""\n')),
        ("mimetype-allowed", _upload("s5", '    f = request.files["file"]\n    if f.mimetype in ("image/png", "image/jpeg"):\n        f.save(os.path.join("/srv/uploads", "image"))\n    return ""\n')),
        ("read-only", _upload("s6", '    f = request.files["file"]\n    return {"size": len(f.read())}\n')),
        ("allowed-loop", _upload("s7", '    for f in request.files.getlist("docs"):\n        if allowed_file(f.filename):\n            f.save(os.path.join("/srv/uploads", secure_filename(f.filename)))\n    return ""\n', _UPLOAD_CHECK)),
        ("endswith-check", _upload("s8", '    f = request.files["file"]\n    if f.filename.lower().endswith(".png"):\n        f.save(os.path.join("/srv/uploads", "avatar.png"))\n    return ""\n')),
        ("form-only", FLASK + '\n\n@app.route("/s9", methods=["POST"])\ndef handler():\n    return {"name": request.form.get("name", "")}\n'),
        ("allowed-get", _upload("s10", '    f = request.files.get("avatar")\n    if f is not None and allowed_file(f.filename):\n        f.save("/srv/uploads/avatar")\n    return ""\n', _UPLOAD_CHECK)),
    )),
    SnippetClass("hardcoded-secrets", 798, true=(
        ("db-password", 'DB_PASSWORD = "s3cr3t-Passw0rd!"\n'),
        ("api-key", 'API_KEY = "sk_live_51HqLyjWDarjtT1zdp7dc"\n'),
        ("dict-password", 'DATABASE = {"user": "app", "password": "Tr0ub4dor&3"}\n'),
        ("keyword-password", 'import psycopg2\n\n\ndef connect():\n    return psycopg2.connect(host="db", user="app", password="hunter2hunter2")\n'),
        ("aws-key", 'AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLF"\n'),
        ("client-secret", 'CLIENT_SECRET = "9f8e7d6c5b4a3928170665"\n'),
        ("token-attr", 'class Settings:\n    def __init__(self):\n        self.auth_token = "ghp_16C7e42F292c6912E7710c838347Ae178B4a"\n'),
        ("secret-key", 'SECRET_KEY = "django-insecure-8x!k2#q9z$w7"\n'),
        ("private-key", 'KEY = """-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\n-----END RSA PRIVATE KEY-----"""\n'),
        ("dict-api-key", 'CONFIG = {"api_key": "AIzaSyD-9tSrke72PouQMnMX"}\n'),
        ("config-item", 'import flask\n\napp = flask.Flask(__name__)\napp.config["SECRET_KEY"] = "a8f5f167f44f4964e6c998dee827110c"\n'),
    ), false=(
        ("env-password", 'import os\n\nDB_PASSWORD = os.environ["DB_PASSWORD"]\n'),
        ("env-get", 'import os\n\nAPI_KEY = os.environ.get("API_KEY")\n'),
        ("field-name", 'PASSWORD_FIELD = "password_hash"\n'),
        ("template", 'SECRET_KEY = "${SECRET_KEY}"\n'),
        ("empty", 'DB_PASSWORD = ""\n'),
        ("placeholder", 'API_TOKEN = "<your-token-here>"\n'),
        ("setting-name", 'TOKEN_SETTING = "AUTH_TOKEN_SECRET"\n'),
        ("header-name", 'TOKEN_HEADER = "Authorization"\n'),
        ("getpass", 'import getpass\n\n\ndef ask():\n    password = getpass.getpass("Password: ")\n    return password\n'),
        ("keyword-env", 'import os\n\nimport psycopg2\n\n\ndef connect():\n    return psycopg2.connect(host="db", user="app", password=os.environ["PGPASSWORD"])\n'),
    )),
)

PYTHON = Language("python", ".py", "    ", SOURCES, TRUE_FLOWS, FALSE_FLOWS,
                  Renderer(prologue=PROLOGUE),
                  TAINT, SNIPPETS)
