"""JavaScript cases: Express handlers (and browser code for DOM XSS)."""
from __future__ import annotations

from benchmarks.detection_casegen.model import Flow, Language, Renderer, Sink, SnippetClass, Source, TaintClass

EXPRESS = 'const express = require("express");\n\nconst app = express();\n'
OPEN = 'app.get("/case", (req, res) => {'
POST = 'app.post("/case", (req, res) => {'
CLOSE = "});"

SOURCES = (
    Source("query", EXPRESS, OPEN, "req.query.q", CLOSE),
    Source("body", EXPRESS, POST, "req.body.q", CLOSE),
    Source("params", EXPRESS, 'app.get("/case/:q", (req, res) => {', "req.params.q", CLOSE),
    Source("cookies", EXPRESS, OPEN, "req.cookies.q", CLOSE),
    Source("header", EXPRESS, OPEN, 'req.headers["x-q"]', CLOSE),
    Source("get-header", EXPRESS, OPEN, 'req.get("X-Q")', CLOSE),
)

TRUE_FLOWS = (
    Flow("direct", (), "SRC"),
    Flow("variable", ("const value = SRC;",), "value"),
    Flow("two-steps", ("const first = SRC;", "const value = first.trim();"), "value"),
    Flow("template-literal", ("const value = `${SRC}`;",), "value"),
    Flow("concat", ('const value = "" + SRC;',), "value"),
    Flow("append-steps", ('let value = "";', "value += SRC;"), "value"),
    Flow("array-push", ("const items = [];", "items.push(SRC);"), "items[0]"),
    Flow("object", ("const data = { key: SRC };",), "data.key"),
    Flow("helper", (), "passthrough(SRC)", module="function passthrough(text) {\n  return String(text).trim();\n}\n"),
    Flow("map", ("const m = new Map();", 'm.set("key", SRC);'), 'm.get("key")'),
)

#: Flows that keep the value an array/object (string building would make a NoSQL query value safe).
OBJECT_FLOWS = tuple(f for f in TRUE_FLOWS if f.name in {'variable', 'array-push', 'map', 'object', 'direct'})

FALSE_FLOWS = (
    Flow("overwritten", ("let value = SRC;", 'value = "fixed";'), "value"),
    Flow("dead-branch", ('let value = "fixed";', "if (false) {", "  value = SRC;", "}"), "value"),
    Flow("safe-array-element", ('const items = ["fixed", SRC];',), "items[0]"),
    Flow("safe-object-value", ('const data = { safe: "fixed", user: SRC };',), "data.safe"),
    Flow("unused", ("const unused = SRC;",), '"fixed"'),
)

DB = 'const mysql = require("mysql");\n\nconst db = mysql.createConnection({ host: "db" });\n'
CP = 'const { exec, execSync } = require("child_process");\n'
FS = 'const fs = require("fs");\nconst path = require("path");\n'
MONGO = 'const { MongoClient } = require("mongodb");\n\nconst users = new MongoClient("mongodb://db").db("app").collection("users");\n'

TAINT = (
    TaintClass("sqli", 89, (
        Sink("query-concat", ("db.query(\"SELECT * FROM users WHERE name = '\" + VALUE + \"'\");",), DB),
        Sink("query-template", ("db.query(`SELECT * FROM users WHERE id = ${VALUE}`);",), DB),
        Sink("query-built", ('const sql = "DELETE FROM carts WHERE id = " + VALUE;', "db.query(sql);"), DB),
    ), sanitised=(
        Flow("placeholder", ('db.query("SELECT * FROM users WHERE name = ?", [SRC]);',), ""),
        Flow("parse-int", ('db.query("SELECT * FROM users WHERE id = " + parseInt(SRC, 10));',), ""),
        Flow("allow-list", ("const column = SRC;", 'if (["name", "email"].includes(column)) {',
                            '  db.query("SELECT * FROM users ORDER BY " + column);', "}"), ""),
    )),
    TaintClass("command-injection", 78, (
        Sink("exec", ('exec("ping -c 1 " + VALUE);',), CP),
        Sink("exec-sync", ('execSync(`nslookup ${VALUE}`);',), CP),
        Sink("spawn-shell", ('require("child_process").spawn("host " + VALUE, { shell: true });',)),
    ), sanitised=(
        Flow("exec-file", ('require("child_process").execFile("ping", ["-c", "1", SRC]);',), ""),
        Flow("allow-list", ("const host = SRC;", 'if (["localhost", "example.com"].includes(host)) {',
                            '  exec("ping -c 1 " + host);', "}"), ""),
    )),
    TaintClass("path-traversal", 22, (
        Sink("read-file-sync", ('res.send(fs.readFileSync(path.join(__dirname, "files", VALUE)));',), FS),
        Sink("read-file", ('fs.readFile("/srv/files/" + VALUE, (err, data) => res.send(data));',), FS),
        Sink("create-read-stream", ('fs.createReadStream(`/srv/files/${VALUE}`).pipe(res);',), FS),
        Sink("send-file", ('res.sendFile(path.join(__dirname, "public", VALUE));',), FS),
        Sink("download", ('res.download("/srv/files/" + VALUE);',), FS),
    ), sanitised=(
        Flow("basename", ('res.send(fs.readFileSync(path.join(__dirname, "files", path.basename(SRC))));',), ""),
        Flow("send-file-root", ('res.sendFile(SRC, { root: path.join(__dirname, "public") });',), ""),
        Flow("prefix-check", ('const base = path.join(__dirname, "files");', "const full = path.resolve(base, SRC);",
                              "if (!full.startsWith(base + path.sep)) {", "  return res.status(400).end();", "}",
                              "fs.createReadStream(full).pipe(res);"), ""),
    )),
    TaintClass("ssrf", 918, (
        Sink("axios-get", ("axios.get(VALUE).then((r) => res.send(r.status));",), 'const axios = require("axios");\n'),
        Sink("fetch", ("fetch(VALUE).then((r) => res.sendStatus(r.status));",)),
        Sink("got", ("got(VALUE).then((r) => res.sendStatus(r.statusCode));",), 'const got = require("got");\n'),
        Sink("needle", ('needle("get", VALUE, () => res.end());',), 'const needle = require("needle");\n'),
        Sink("request", ("request(VALUE, () => res.end());",), 'const request = require("request");\n'),
        Sink("http-get", ("http.get(VALUE, () => res.end());",), 'const http = require("http");\n'),
    ), sanitised=(
        Flow("allow-list", ("const url = SRC;", 'if (["https://api.example.com/a"].includes(url)) {',
                            "  axios.get(url).then(() => res.end());", "}"), ""),
        Flow("fixed-host", ("axios.get(`https://api.example.com/items/${encodeURIComponent(SRC)}`).then(() => res.end());",), ""),
    )),
    TaintClass("open-redirect", 601, (
        Sink("redirect", ("res.redirect(VALUE);",)),
        Sink("redirect-status", ("res.redirect(302, VALUE);",)),
        Sink("location-header", ('res.setHeader("Location", VALUE);', "res.status(302).end();")),
    ), sanitised=(
        Flow("allow-list", ("const next = SRC;", 'if (["/home", "/account"].includes(next)) {',
                            "  return res.redirect(next);", "}", 'res.redirect("/");'), ""),
        Flow("fixed", ("const unused = SRC;", 'res.redirect("/home");'), ""),
    )),
    TaintClass("xss", 79, (
        Sink("send", ('res.send("<p>" + VALUE + "</p>");',)),
        Sink("write-template", ("res.write(`<h1>${VALUE}</h1>`);", "res.end();")),
        Sink("status-send", ('res.status(200).send("<b>" + VALUE + "</b>");',)),
    ), sanitised=(
        Flow("escape-html", ('res.send("<p>" + escapeHtml(SRC) + "</p>");',), ""),
        Flow("json", ("res.json({ q: SRC });",), ""),
        Flow("render", ('res.render("page", { q: SRC });',), ""),
    )),
    TaintClass("nosqli", 943, flows=OBJECT_FLOWS, sinks=(
        Sink("find-one", ("users.findOne({ name: VALUE }).then((u) => res.json(u));",), MONGO),
        Sink("find-where", ("users.find({ $where: \"this.name == '\" + VALUE + \"'\" }).toArray().then((u) => res.json(u));",), MONGO),
        Sink("delete-many", ("users.deleteMany({ owner: VALUE }).then(() => res.end());",), MONGO),
    ), sanitised=(
        Flow("string", ("users.findOne({ name: String(SRC) }).then((u) => res.json(u));",), ""),
        Flow("to-string", ("users.findOne({ name: `${SRC}` }).then((u) => res.json(u));",), ""),
    )),
    TaintClass("template-injection", 1336, (
        Sink("ejs-render", ('res.send(ejs.render("<p>" + VALUE + "</p>"));',), 'const ejs = require("ejs");\n'),
        Sink("pug-compile", ('res.send(pug.compile("p " + VALUE)());',), 'const pug = require("pug");\n'),
        Sink("handlebars-compile", ('res.send(Handlebars.compile("Hi " + VALUE)({}));',), 'const Handlebars = require("handlebars");\n'),
        Sink("nunjucks-render-string", ('res.send(nunjucks.renderString("Hi " + VALUE, {}));',), 'const nunjucks = require("nunjucks");\n'),
    ), sanitised=(
        Flow("ejs-variable", ('res.send(ejs.render("<p><%= q %></p>", { q: SRC }));',), ""),
        Flow("res-render", ('res.render("page", { q: SRC });',), ""),
    )),
    TaintClass("xpath-injection", 643, (
        Sink("xpath-select", ("res.json(xpath.select(\"//user[@name='\" + VALUE + \"']\", doc).length);",),
             'const xpath = require("xpath");\n'),
        Sink("xpath-select1", ("res.json(String(xpath.select1(`//user[@id='${VALUE}']`, doc)));",), 'const xpath = require("xpath");\n'),
        Sink("xpath-evaluate", ("res.json(xpath.evaluate(\"//user[@role='\" + VALUE + \"']\", doc, null, 0, null).numberValue);",),
             'const xpath = require("xpath");\n'),
    ), sanitised=(
        Flow("parse-int", ('res.json(xpath.select("//user[@id=" + parseInt(SRC, 10) + "]", doc).length);',), ""),
        Flow("allow-list", ("const role = SRC;", 'if (["admin", "user"].includes(role)) {',
                            "  res.json(xpath.select(`//user[@role='${role}']`, doc).length);", "}"), ""),
    )),
    TaintClass("ldap-injection", 90, (
        Sink("search-filter", ('client.search("dc=example,dc=com", { filter: "(uid=" + VALUE + ")" }, () => res.end());',),
             'const ldap = require("ldapjs");\n\nconst client = ldap.createClient({ url: "ldap://127.0.0.1" });\n'),
        Sink("search-template", ('client.search("ou=people,dc=example,dc=com", { filter: `(cn=${VALUE})`, scope: "sub" }, () => res.end());',),
             'const ldap = require("ldapjs");\n\nconst client = ldap.createClient({ url: "ldap://127.0.0.1" });\n'),
    ), sanitised=(
        Flow("escape", ('client.search("dc=example,dc=com", { filter: "(uid=" + escapeLdapFilter(SRC) + ")" }, () => res.end());',), ""),
        Flow("parse-int", ('client.search("dc=example,dc=com", { filter: "(uidNumber=" + parseInt(SRC, 10) + ")" }, () => res.end());',), ""),
    )),
    TaintClass("trust-boundary", 501, (
        Sink("session-field", ("req.session.role = VALUE;", "res.end();")),
        Sink("session-index", ('req.session["user"] = VALUE;', "res.end();")),
    ), sanitised=(
        Flow("parse-int", ("req.session.page = parseInt(SRC, 10);", "res.end();"), ""),
        Flow("allow-list", ("const theme = SRC;", 'if (["dark", "light"].includes(theme)) {', "  req.session.theme = theme;", "}",
                            "res.end();"), ""),
    )),
)

SNIPPETS = (
    SnippetClass("code-injection", 95, true=(
        ("eval-param", "function calculate(expression) {\n  return eval(expression);\n}"),
        ("eval-query", EXPRESS + 'app.get("/calc", (req, res) => res.send(String(eval(req.query.expr))));'),
        ("new-function", EXPRESS + 'app.get("/f", (req, res) => {\n  const fn = new Function("a", "return a * " + req.query.k);\n  res.send(String(fn(2)));\n});'),
        ("function-ctor", "function make(body) {\n  return Function(body);\n}"),
        ("vm-run-new-context", 'const vm = require("vm");\n\nfunction run(code) {\n  return vm.runInNewContext(code, {});\n}'),
        ("vm-run-this-context", 'const vm = require("vm");\n\nfunction run(code) {\n  return vm.runInThisContext(code);\n}'),
        ("vm-script", 'const vm = require("vm");\n\nfunction compile(code) {\n  return new vm.Script(code);\n}'),
        ("set-timeout-string", "function later(name) {\n  setTimeout(\"greet('\" + name + \"')\", 100);\n}"),
        ("eval-json", "function parse(text) {\n  return eval(\"(\" + text + \")\");\n}"),
        ("eval-template", "function calc(a, op, b) {\n  return eval(`${a} ${op} ${b}`);\n}"),
        ("set-interval-string", "function poll(cmd) {\n  setInterval(\"run('\" + cmd + \"')\", 1000);\n}"),
    ), false=(
        ("json-parse", "function parse(text) {\n  return JSON.parse(text);\n}"),
        ("eval-constant", 'const answer = eval("6 * 7");'),
        ("eval-overwritten", "function calc(input) {\n  let code = input;\n  code = \"1 + 1\";\n  return eval(code);\n}"),
        ("function-constant", 'const add = new Function("a", "b", "return a + b");'),
        ("set-timeout-function", "function later(name) {\n  setTimeout(() => console.log(name), 100);\n}"),
        ("number", "function calc(text) {\n  return Number(text) * 2;\n}"),
        ("vm-constant", 'const vm = require("vm");\n\nconst result = vm.runInNewContext("1 + 1", {});'),
        ("map-of-functions", "const ops = { add: (a, b) => a + b };\n\nfunction calc(op, a, b) {\n  return ops[op] ? ops[op](a, b) : null;\n}"),
        ("set-interval-function", "function poll(fn) {\n  setInterval(fn, 1000);\n}"),
        ("math", "function area(r) {\n  return Math.PI * r * r;\n}"),
    )),
    SnippetClass("xss", 79, true=(
        ("hash-innerhtml", 'document.getElementById("out").innerHTML = decodeURIComponent(location.hash.slice(1));'),
        ("search-param-write", 'const q = new URLSearchParams(location.search).get("q");\ndocument.write("<p>" + q + "</p>");'),
        ("referrer", 'document.getElementById("ref").innerHTML = "From " + document.referrer;'),
        ("window-name", 'document.body.insertAdjacentHTML("beforeend", window.name);'),
        ("message", 'window.addEventListener("message", (event) => {\n  document.getElementById("box").innerHTML = event.data;\n});'),
        ("url-outerhtml", 'document.getElementById("x").outerHTML = "<div>" + document.URL + "</div>";'),
        ("local-storage", 'document.getElementById("n").innerHTML = localStorage.getItem("name");'),
        ("jquery-html", '$("#out").html(location.hash.substring(1));'),
        ("writeln", "document.writeln(window.location.search);"),
        ("href-template", "document.getElementById(\"t\").innerHTML = `<a href=\"${location.href}\">here</a>`;"),
    ), false=(
        ("text-content", 'document.getElementById("out").textContent = decodeURIComponent(location.hash.slice(1));'),
        ("static-html", 'document.getElementById("out").innerHTML = "<b>static</b>";'),
        ("purified", 'const q = new URLSearchParams(location.search).get("q");\ndocument.getElementById("out").innerHTML = DOMPurify.sanitize(q);'),
        ("inner-text", 'document.getElementById("ref").innerText = document.referrer;'),
        ("parse-int", 'document.getElementById("page").innerHTML = parseInt(new URLSearchParams(location.search).get("p"), 10);'),
        ("jquery-text", '$("#out").text(location.hash.substring(1));'),
        ("create-text-node", "document.body.appendChild(document.createTextNode(window.name));"),
        ("attribute", 'document.getElementById("a").setAttribute("title", document.URL);'),
        ("encoded", 'document.getElementById("o").innerHTML = encodeURIComponent(location.search);'),
        ("value", 'document.getElementById("field").value = location.hash;'),
    )),
    SnippetClass("xxe", 611, true=tuple(
        (name, f'const libxmljs = require("libxmljs");\n\nfunction parse(xml) {{\n  return {code};\n}}') for name, code in (
            ("parse-xml-noent", "libxmljs.parseXml(xml, { noent: true })"),
            ("parse-xml-string-noent", "libxmljs.parseXmlString(xml, { noent: true })"),
            ("noent-and-nonet-false", "libxmljs.parseXml(xml, { noent: true, nonet: false })"),
            ("dtdload", "libxmljs.parseXml(xml, { dtdload: true })"),
            ("noent-recover", "libxmljs.parseXml(xml, { recover: true, noent: true })"),
            ("noent-blanks", "libxmljs.parseXmlString(xml, { noblanks: true, noent: true })"),
            ("noent-huge", "libxmljs.parseXml(xml, { huge: true, noent: true })"),
            ("dtdload-noent", "libxmljs.parseXml(xml, { dtdload: true, noent: true })"),
            ("sax-noent", "new libxmljs.SaxParser({ noent: true })"),
            ("noent-cdata", "libxmljs.parseXmlString(xml, { nocdata: true, noent: true })"),
        )), false=tuple(
        (name, f'const libxmljs = require("libxmljs");\n\nfunction parse(xml) {{\n  return {code};\n}}') for name, code in (
            ("default", "libxmljs.parseXml(xml)"),
            ("noent-false", "libxmljs.parseXml(xml, { noent: false })"),
            ("nonet", "libxmljs.parseXml(xml, { nonet: true })"),
            ("string-default", "libxmljs.parseXmlString(xml)"),
            ("recover", "libxmljs.parseXml(xml, { recover: true })"),
            ("blanks", "libxmljs.parseXmlString(xml, { noblanks: true })"),
            ("json", "JSON.parse(xml)"),
            ("html", "libxmljs.parseHtml(xml)"),
            ("noent-false-nonet", "libxmljs.parseXml(xml, { noent: false, nonet: true })"),
            ("cdata", "libxmljs.parseXmlString(xml, { nocdata: true })"),
        ))),
    SnippetClass("deserialization", 502, true=(
        ("node-serialize-cookie", EXPRESS + 'const serialize = require("node-serialize");\n\napp.get("/p", (req, res) => res.json(serialize.unserialize(req.cookies.prefs)));'),
        ("node-serialize-require", 'function load(text) {\n  return require("node-serialize").unserialize(text);\n}'),
        ("node-serialize-body", EXPRESS + 'const ns = require("node-serialize");\n\napp.post("/p", (req, res) => res.json(ns.unserialize(req.body.data)));'),
        ("funcster", 'const funcster = require("funcster");\n\nfunction load(obj) {\n  return funcster.deepDeserialize(obj);\n}'),
        ("js-yaml-full", 'const yaml = require("js-yaml");\n\nfunction load(text) {\n  return yaml.load(text, { schema: yaml.DEFAULT_FULL_SCHEMA });\n}'),
        ("js-yaml-full-all", 'const yaml = require("js-yaml");\n\nfunction load(text) {\n  return yaml.loadAll(text, { schema: yaml.DEFAULT_FULL_SCHEMA });\n}'),
        ("cryo", 'const Cryo = require("cryo");\n\nfunction load(text) {\n  return Cryo.parse(text);\n}'),
        ("node-serialize-file", 'const fs = require("fs");\nconst s = require("node-serialize");\n\nconst state = s.unserialize(fs.readFileSync("state.txt", "utf8"));'),
        ("node-serialize-base64", 'const s = require("node-serialize");\n\nfunction load(b64) {\n  return s.unserialize(Buffer.from(b64, "base64").toString());\n}'),
        ("js-yaml-full-options", 'const yaml = require("js-yaml");\n\nfunction load(text) {\n  return yaml.load(text, { filename: "x.yml", schema: yaml.DEFAULT_FULL_SCHEMA });\n}'),
    ), false=(
        ("json-parse", "function load(text) {\n  return JSON.parse(text);\n}"),
        ("js-yaml-safe", 'const yaml = require("js-yaml");\n\nfunction load(text) {\n  return yaml.load(text);\n}'),
        ("js-yaml-failsafe", 'const yaml = require("js-yaml");\n\nfunction load(text) {\n  return yaml.load(text, { schema: yaml.FAILSAFE_SCHEMA });\n}'),
        ("node-serialize-serialize", 'const s = require("node-serialize");\n\nfunction save(obj) {\n  return s.serialize(obj);\n}'),
        ("querystring", 'const qs = require("querystring");\n\nfunction load(text) {\n  return qs.parse(text);\n}'),
        ("json-reviver", "function load(text) {\n  return JSON.parse(text, (k, v) => (typeof v === \"string\" ? v.trim() : v));\n}"),
        ("url-search-params", "function load(text) {\n  return Object.fromEntries(new URLSearchParams(text));\n}"),
        ("buffer", 'function load(b64) {\n  return Buffer.from(b64, "base64").toString("utf8");\n}'),
        ("structured-clone", "function copy(obj) {\n  return structuredClone(obj);\n}"),
        ("js-yaml-json-schema", 'const yaml = require("js-yaml");\n\nfunction load(text) {\n  return yaml.load(text, { schema: yaml.JSON_SCHEMA });\n}'),
    )),
    SnippetClass("weak-hash", 328, true=tuple(
        (f"{algo}-{what}", f'const crypto = require("crypto");\n\nfunction digest({what}) {{\n  return crypto.createHash("{algo}").update({what}).digest("hex");\n}}')
        for algo, what in (("md5", "password"), ("sha1", "password"), ("md5", "token"), ("sha1", "secret"), ("md4", "password"),
                           ("MD5", "apiKey"), ("ripemd160", "password"), ("sha1", "pin"), ("md5", "sessionId"), ("SHA1", "password"))
    ) + (("cryptojs-md5", 'const CryptoJS = require("crypto-js");\n\nfunction digest(password) {\n  return CryptoJS.MD5(password).toString();\n}'),),
        false=tuple(
        (f"{algo}-{what}", f'const crypto = require("crypto");\n\nfunction digest({what}) {{\n  return crypto.createHash("{algo}").update({what}).digest("hex");\n}}')
        for algo, what in (("sha256", "password"), ("sha512", "token"), ("sha384", "secret"), ("sha3-256", "password"),
                           ("sha512", "content"), ("sha256", "body"))
    ) + (
        ("scrypt", 'const crypto = require("crypto");\n\nfunction hashPassword(password, salt) {\n  return crypto.scryptSync(password, salt, 64).toString("hex");\n}'),
        ("pbkdf2", 'const crypto = require("crypto");\n\nfunction hashPassword(password, salt) {\n  return crypto.pbkdf2Sync(password, salt, 600000, 32, "sha256");\n}'),
        ("bcrypt", 'const bcrypt = require("bcrypt");\n\nfunction hashPassword(password) {\n  return bcrypt.hash(password, 12);\n}'),
        ("hmac-sha256", 'const crypto = require("crypto");\n\nfunction sign(body, key) {\n  return crypto.createHmac("sha256", key).update(body).digest("hex");\n}'),
    )),
    SnippetClass("weak-random", 338, true=(
        ("reset-token", "function makeResetToken() {\n  return Math.random().toString(36).slice(2);\n}"),
        ("session-id", "const sessionId = Math.floor(Math.random() * 1e16).toString(16);"),
        ("password", 'function generatePassword() {\n  let out = "";\n  for (let i = 0; i < 12; i++) out += "abcdefgh"[Math.floor(Math.random() * 8)];\n  return out;\n}'),
        ("api-key", "const apiKey = String(Math.random()).slice(2);"),
        ("otp", "let otp = Math.floor(Math.random() * 1000000);"),
        ("csrf-object", "const form = { csrf: Math.random().toString(16) };"),
        ("salt", "var salt = Math.random().toString(36);"),
        ("invite-code", "function createInviteCode() {\n  return Math.random().toString(36).substring(2, 10);\n}"),
        ("nonce-arrow", "const makeNonce = () => {\n  return Math.random().toString(36);\n};"),
        ("verification", "const verificationCode = Math.round(Math.random() * 9999);"),
        ("user-token-field", "user.authToken = Math.random().toString(36).slice(2);"),
    ), false=(
        ("random-bytes", 'const crypto = require("crypto");\n\nconst csrfToken = crypto.randomBytes(32).toString("hex");'),
        ("random-uuid", 'const crypto = require("crypto");\n\nfunction sessionId() {\n  return crypto.randomUUID();\n}'),
        ("jitter", "const jitter = Math.random() * 100;"),
        ("shuffle", "function shuffle(list) {\n  return list.sort(() => Math.random() - 0.5);\n}"),
        ("dice", "const dice = 1 + Math.floor(Math.random() * 6);"),
        ("color", "function randomColor() {\n  return `hsl(${Math.random() * 360}, 50%, 50%)`;\n}"),
        ("random-int", 'const crypto = require("crypto");\n\nconst otp = crypto.randomInt(0, 1000000);'),
        ("get-random-values", "const token = crypto.getRandomValues(new Uint8Array(16));"),
        ("animation", "function wobble(el) {\n  el.style.left = Math.random() * 10 + \"px\";\n}"),
        ("sample", "function sampled() {\n  return Math.random() < 0.1;\n}"),
    )),
    SnippetClass("cookie-flags", 614, true=tuple(
        (name, EXPRESS + f'app.get("/c", (req, res) => {{\n  {code}\n  res.end();\n}});') for name, code in (
            ("no-options", 'res.cookie("session", "abc");'),
            ("http-only-only", 'res.cookie("session", "abc", { httpOnly: true });'),
            ("secure-only", 'res.cookie("session", "abc", { secure: true });'),
            ("secure-false", 'res.cookie("session", "abc", { secure: false, httpOnly: true });'),
            ("max-age-only", 'res.cookie("remember", "1", { maxAge: 86400000 });'),
            ("samesite-only", 'res.cookie("pref", "dark", { sameSite: "lax" });'),
            ("http-only-false", 'res.cookie("sid", "x", { secure: true, httpOnly: false });'),
            ("signed-only", 'res.cookie("sid", "x", { signed: true });'),
        )) + (
        ("session-no-cookie-options", EXPRESS + 'const session = require("express-session");\n\napp.use(session({ secret: process.env.SESSION_SECRET, resave: false }));'),
        ("session-secure-false", EXPRESS + 'const session = require("express-session");\n\napp.use(session({ secret: process.env.S, cookie: { secure: false } }));'),
        ("session-httponly-false", EXPRESS + 'const session = require("express-session");\n\napp.use(session({ secret: process.env.S, cookie: { secure: true, httpOnly: false } }));'),
    ), false=tuple(
        (name, EXPRESS + f'app.get("/c", (req, res) => {{\n  {code}\n  res.end();\n}});') for name, code in (
            ("both", 'res.cookie("session", "abc", { secure: true, httpOnly: true });'),
            ("both-samesite", 'res.cookie("session", "abc", { secure: true, httpOnly: true, sameSite: "strict" });'),
            ("both-max-age", 'res.cookie("remember", "1", { maxAge: 86400000, secure: true, httpOnly: true });'),
            ("clear-cookie", 'res.clearCookie("session");'),
            ("read-cookie", 'const theme = req.cookies.theme || "light";'),
            ("header", 'res.set("Cache-Control", "no-store");'),
            ("both-signed", 'res.cookie("sid", "x", { signed: true, secure: true, httpOnly: true });'),
        )) + (
        ("session-secure", EXPRESS + 'const session = require("express-session");\n\napp.use(session({ secret: process.env.S, cookie: { secure: true, httpOnly: true } }));'),
        ("session-options-var", EXPRESS + 'const session = require("express-session");\n\nconst cookie = { secure: true, httpOnly: true };\napp.use(session({ secret: process.env.S, cookie }));'),
        ("session-secure-samesite", EXPRESS + 'const session = require("express-session");\n\napp.use(session({ secret: process.env.S, cookie: { secure: true, sameSite: "lax" } }));'),
    )),
    SnippetClass("file-upload", 434, true=(
        ("multer-dest", 'const multer = require("multer");\n\nconst upload = multer({ dest: "uploads/" });'),
        ("multer-storage", 'const multer = require("multer");\n\nconst upload = multer({ storage: multer.diskStorage({ destination: "uploads/" }) });'),
        ("multer-memory", 'const multer = require("multer");\n\nconst upload = multer();'),
        ("multer-limits-only", 'const multer = require("multer");\n\nconst upload = multer({ dest: "uploads/", limits: { fileSize: 1e6 } });'),
        ("mv-name", EXPRESS + 'const path = require("path");\n\napp.post("/u", (req, res) => {\n  const file = req.files.avatar;\n  file.mv(path.join(__dirname, "uploads", file.name));\n  res.end();\n});'),
        ("mv-let", EXPRESS + 'app.post("/u", (req, res) => {\n  let doc = req.files.doc;\n  doc.mv("/srv/uploads/" + doc.name, () => res.end());\n});'),
        ("mv-size-only", EXPRESS + 'app.post("/u", (req, res) => {\n  const f = req.files.f;\n  if (f.size < 1e6) {\n    f.mv("/srv/uploads/" + f.name);\n  }\n  res.end();\n});'),
        ("multer-preserve-path", 'const multer = require("multer");\n\nconst upload = multer({ dest: "public/uploads/", preservePath: true });'),
        ("mv-template", EXPRESS + 'app.post("/u", (req, res) => {\n  const img = req.files.image;\n  img.mv(`${__dirname}/public/${img.name}`);\n  res.end();\n});'),
        ("multer-route", EXPRESS + 'const multer = require("multer");\n\napp.post("/u", multer({ dest: "uploads/" }).single("file"), (req, res) => res.end());'),
    ), false=(
        ("multer-file-filter", 'const multer = require("multer");\n\nconst upload = multer({ dest: "uploads/", fileFilter: (req, file, cb) => cb(null, file.mimetype === "image/png") });'),
        ("multer-filter-function", 'const multer = require("multer");\n\nfunction onlyImages(req, file, cb) {\n  cb(null, /^image\\//.test(file.mimetype));\n}\nconst upload = multer({ dest: "uploads/", fileFilter: onlyImages });'),
        ("multer-filter-method", 'const multer = require("multer");\n\nconst upload = multer({ storage: multer.memoryStorage(), fileFilter: function (req, file, cb) { cb(null, false); } });'),
        ("mv-allow-list", EXPRESS + 'app.post("/u", (req, res) => {\n  const image = req.files.avatar;\n  const allowedTypes = ["image/png", "image/jpeg"];\n  if (allowedTypes.includes(image.mimetype)) {\n    image.mv("/srv/uploads/" + Date.now() + ".png");\n  }\n  res.end();\n});'),
        ("mv-refused-leaves", EXPRESS + 'app.post("/u", (req, res) => {\n  const f = req.files.f;\n  if (![".png", ".jpg"].includes(require("path").extname(f.name))) {\n    return res.status(400).end();\n  }\n  f.mv("/srv/uploads/" + Date.now());\n  res.end();\n});'),
        ("mv-regex", EXPRESS + 'app.post("/u", (req, res) => {\n  const f = req.files.f;\n  if (/\\.(png|jpg)$/.test(f.name)) {\n    f.mv("/srv/uploads/" + Date.now());\n  }\n  res.end();\n});'),
        ("mv-regex-refused", EXPRESS + 'app.post("/u", (req, res) => {\n  const f = req.files.f;\n  if (!/\\.(png|jpg)$/.test(f.name)) {\n    return res.status(400).end();\n  }\n  f.mv("/srv/uploads/" + Date.now());\n  res.end();\n});'),
        ("read-only", EXPRESS + 'app.post("/u", (req, res) => {\n  const f = req.files.csv;\n  res.json({ size: f.data.length });\n});'),
        ("no-upload", EXPRESS + 'app.post("/u", (req, res) => res.json({ name: req.body.name }));'),
        ("multer-filter-limits", 'const multer = require("multer");\n\nconst upload = multer({ dest: "uploads/", limits: { fileSize: 1e6 }, fileFilter: (r, f, cb) => cb(null, f.mimetype === "application/pdf") });'),
    )),
    SnippetClass("hardcoded-secrets", 798, true=(
        ("const-token", 'const API_TOKEN = "sk_live_51HqLyjWDarjtT1zdp7dcXYZsecret";'),
        ("object-password", 'const dbConfig = { host: "db", user: "app", password: "Sup3rS3cret!" };'),
        ("jwt-sign", 'const jwt = require("jsonwebtoken");\n\nfunction issue(user) {\n  return jwt.sign({ sub: user.id }, "my-jwt-signing-key");\n}'),
        ("session-secret", 'const session = require("express-session");\n\nconst mw = session({ secret: "keyboard-cat-2024", cookie: { secure: true } });'),
        ("env-fallback", 'const secret = process.env.APP_SECRET || "dev-secret-123456";'),
        ("let-api-key", 'let apiKey = "AIzaSyD-9tSrke72PouQMnMX";'),
        ("aws-key", 'const creds = { accessKeyId: "AKIAIOSFODNN7EXAMPLF", region: "eu-west-1" };'),
        ("client-secret", 'var clientSecret = "9f8e7d6c5b4a3928170665";'),
        ("assign-field", 'config.smtpPassword = "mailP4ssw0rd!";'),
        ("object-api-key", 'module.exports = { port: 3000, apiKey: "ghp_16C7e42F292c6912E7710c838347Ae178B4a" };'),
        ("object-env-fallback", 'const settings = { token: process.env.TOKEN || "tok_8f7e6d5c4b3a2910" };'),
    ), false=(
        ("env", "const API_TOKEN = process.env.API_TOKEN;"),
        ("object-env", "const dbConfig = { host: \"db\", password: process.env.DB_PASSWORD };"),
        ("field-name", 'const PASSWORD_FIELD = "password_hash";'),
        ("empty", 'const password = "";'),
        ("placeholder", 'const apiKey = "<your-api-key>";'),
        ("template", 'const secret = "${SECRET}";'),
        ("jwt-env", 'const jwt = require("jsonwebtoken");\n\nfunction issue(user) {\n  return jwt.sign({ sub: user.id }, process.env.JWT_KEY);\n}'),
        ("header-name", 'const tokenHeader = "Authorization";'),
        ("session-env", 'const session = require("express-session");\n\nconst mw = session({ secret: process.env.SESSION_SECRET, cookie: { secure: true } });'),
        ("label", 'const labels = { password: "Password", token: "Access token" };'),
    )),
)

JAVASCRIPT = Language("javascript", ".js", "  ", SOURCES, TRUE_FLOWS, FALSE_FLOWS,
                      Renderer(prologue="// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).\n"
                                        'const escapeHtml = require("escape-html");'),
                      TAINT, SNIPPETS)
