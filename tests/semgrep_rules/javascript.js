// Annotated examples for pipeline/tools/semgrep_rules/javascript.yaml (semgrep --test).
// Each taint rule has the variants a benchmark uses against false positives: a
// sanitised value, a value overwritten by a constant, a branch that never runs,
// and the safe element of a collection that also holds a tainted one.
const express = require("express");
const { exec, execFile } = require("child_process");
const fs = require("fs");
const path = require("path");
const crypto = require("crypto");
const https = require("https");
const axios = require("axios");
const ejs = require("ejs");
const xpath = require("xpath");
const ldap = require("ldapjs");
const libxmljs = require("libxmljs");
const multer = require("multer");
const session = require("express-session");
const jwt = require("jsonwebtoken");
const escapeHtml = require("escape-html");
const serializer = require("node-serialize");

const app = express();

// ---- DOM XSS (browser) ---------------------------------------------------------------------

function dom() {
  // ruleid: js-dom-xss
  document.getElementById("greeting").innerHTML = decodeURIComponent(window.location.hash.substring(1));
  // ok: js-dom-xss
  document.getElementById("greeting").textContent = decodeURIComponent(window.location.hash.substring(1));
  // ok: js-dom-xss
  document.getElementById("greeting").innerHTML = "<b>static</b>";
  const q = new URLSearchParams(location.search).get("q");
  // ruleid: js-dom-xss
  document.write("<p>" + q + "</p>");
  // ok: js-dom-xss
  document.getElementById("out").innerHTML = DOMPurify.sanitize(q);
}

// ---- code injection ------------------------------------------------------------------------

function calculate(expression) {
  // ruleid: js-code-injection
  return eval(expression);
}
// ok: js-code-injection
const answer = eval("6 * 7");
app.get("/calc", (req, res) => {
  // ruleid: js-code-injection
  const fn = new Function("a", "return a * " + req.query.factor);
  let code = req.query.code;
  code = "1 + 1";
  // ok: js-code-injection
  res.send(String(eval(code)));
});

// ---- command injection ---------------------------------------------------------------------

app.get("/ping", (req, res) => {
  // ruleid: js-command-injection
  exec("ping -c 1 " + req.query.host, (err, stdout) => res.send(stdout));
  // ok: js-command-injection
  execFile("ping", ["-c", "1", req.query.host], () => {});
  const hosts = ["localhost", req.query.host];
  // ok: js-command-injection
  exec("ping -c 1 " + hosts[0]);
});

// ---- path traversal ------------------------------------------------------------------------

app.get("/download", (req, res) => {
  // ruleid: js-path-traversal
  res.send(fs.readFileSync(path.join(__dirname, "files", req.query.name)));
  // ok: js-path-traversal
  res.send(fs.readFileSync(path.join(__dirname, "files", path.basename(req.query.name))));
  // ruleid: js-path-traversal
  res.sendFile(path.join(__dirname, req.params.file));
  // ok: js-path-traversal
  res.sendFile(req.params.file, { root: path.join(__dirname, "public") });
  const base = path.join(__dirname, "files");
  const full = path.resolve(base, req.query.doc);
  if (!full.startsWith(base + path.sep)) {
    return res.status(400).end();
  }
  // ok: js-path-traversal
  fs.createReadStream(full).pipe(res);
});

// ---- XSS (Express) -------------------------------------------------------------------------

app.get("/hello", (req, res) => {
  // ruleid: js-express-reflected-xss
  res.send("<h1>Hello " + req.query.name + "</h1>");
  // ruleid: js-express-reflected-xss
  res.write(`<p>${req.body.comment}</p>`);
  // ok: js-express-reflected-xss
  res.send("<h1>Hello " + escapeHtml(req.query.name) + "</h1>");
  // ok: js-express-reflected-xss
  res.json({ name: req.query.name });
  let shown = req.query.name;
  shown = "guest";
  // ok: js-express-reflected-xss
  res.send("<h1>Hello " + shown + "</h1>");
  let dead = "guest";
  if (false) {
    dead = req.query.name;
  }
  // ok: js-express-reflected-xss
  res.send("<h1>Hello " + dead + "</h1>");
});

// ---- SQL injection -------------------------------------------------------------------------

app.get("/users", (req, res) => {
  // ruleid: js-sql-injection
  db.query("SELECT * FROM users WHERE name = '" + req.query.name + "'");
  // ruleid: js-sql-injection
  db.query(`SELECT * FROM users WHERE id = ${req.params.id}`);
  // ok: js-sql-injection
  db.query("SELECT * FROM users WHERE name = ?", [req.query.name]);
  // ok: js-sql-injection
  db.query("SELECT * FROM users WHERE id = " + parseInt(req.query.id, 10));
  const parts = { fixed: "alice", input: req.query.name };
  // ok: js-sql-injection
  db.query("SELECT * FROM users WHERE name = '" + parts.fixed + "'");
});

// ---- SSRF ----------------------------------------------------------------------------------

app.get("/proxy", async (req, res) => {
  const url = req.query.url;
  // ruleid: js-ssrf
  const upstream = await axios.get(url);
  // ruleid: js-ssrf
  await fetch(url);
  // ok: js-ssrf
  await fetch("https://api.example.com/status");
  // ok: js-ssrf
  await fetch(`https://api.example.com/users/${url}`);
  const allowed = ["https://api.example.com/a"];
  if (allowed.includes(url)) {
    // ok: js-ssrf
    await axios.get(url);
  }
  res.send(upstream.data);
});

// ---- open redirect -------------------------------------------------------------------------

app.get("/login", (req, res) => {
  // ruleid: js-open-redirect
  res.redirect(req.query.next);
  // ok: js-open-redirect
  res.redirect("/home");
  const targets = ["/home", "/account"];
  if (targets.includes(req.query.to)) {
    // ok: js-open-redirect
    res.redirect(req.query.to);
  }
});

// ---- NoSQL injection -----------------------------------------------------------------------

app.post("/mongo", async (req, res) => {
  // ruleid: js-nosql-injection
  const user = await User.findOne({ user: req.body.user, password: req.body.password });
  // ok: js-nosql-injection
  const same = await User.findOne({ user: String(req.body.user), password: String(req.body.password) });
  // ruleid: js-nosql-where-injection
  await users.find({ $where: "this.name == '" + req.query.name + "'" });
  // ok: js-nosql-where-injection
  await users.find({ $where: "this.age > 18" });
  // ok: js-nosql-injection
  const first = items.find((item) => item.id === req.query.id);
});

// ---- template injection --------------------------------------------------------------------

app.get("/greet", (req, res) => {
  // ruleid: js-template-injection
  res.send(ejs.render("<p>Hello " + req.query.name + "</p>"));
  // ok: js-template-injection
  res.send(ejs.render("<p>Hello <%= name %></p>", { name: req.query.name }));
});

// ---- XPath injection -----------------------------------------------------------------------

app.get("/xpath", (req, res) => {
  // ruleid: js-xpath-injection
  const nodes = xpath.select("//user[@name='" + req.query.user + "']", doc);
  // ok: js-xpath-injection
  const all = xpath.select("//user", doc);
  res.send(String(nodes.length + all.length));
});

// ---- LDAP injection ------------------------------------------------------------------------

app.get("/ldap", (req, res) => {
  const client = ldap.createClient({ url: "ldap://127.0.0.1" });
  // ruleid: js-ldap-injection
  client.search("dc=example,dc=com", { filter: "(uid=" + req.query.user + ")" }, () => {});
  // ok: js-ldap-injection
  client.search("dc=example,dc=com", { filter: "(uid=" + escapeLdapFilter(req.query.user) + ")" }, () => {});
});

// ---- XXE -----------------------------------------------------------------------------------

function parseUpload(xml) {
  // ruleid: js-xxe
  const unsafe = libxmljs.parseXml(xml, { noent: true });
  // ok: js-xxe
  const safe = libxmljs.parseXml(xml, { noent: false });
  return [unsafe, safe];
}

// ---- deserialisation -----------------------------------------------------------------------

app.get("/prefs", (req, res) => {
  // ruleid: js-unsafe-deserialization
  const prefs = serializer.unserialize(req.cookies.prefs);
  // ok: js-unsafe-deserialization
  const parsed = JSON.parse(req.cookies.prefs);
  res.json({ prefs, parsed });
});

// ---- weak hash -----------------------------------------------------------------------------

function hashPassword(password) {
  // ruleid: js-weak-hash
  return crypto.createHash("md5").update(password).digest("hex");
}
// ruleid: js-weak-hash
const fingerprint = crypto.createHash("sha1").update("x").digest("hex");
// ok: js-weak-hash
const digest = crypto.createHash("sha256").update("x").digest("hex");

// ---- weak random ---------------------------------------------------------------------------

function makeResetToken() {
  // ruleid: js-weak-random
  return Math.random().toString(36).slice(2);
}
// ruleid: js-weak-random
const sessionId = Math.floor(Math.random() * 1e16).toString(16);
// ok: js-weak-random
const csrfToken = crypto.randomBytes(32).toString("hex");
// ok: js-weak-random
const jitter = Math.random() * 100;

// ---- cookie flags --------------------------------------------------------------------------

app.get("/cookie", (req, res) => {
  // ruleid: js-cookie-without-secure, js-cookie-without-httponly
  res.cookie("session", "abc");
  // ruleid: js-cookie-without-secure
  res.cookie("session", "abc", { httpOnly: true });
  // ruleid: js-cookie-without-httponly
  res.cookie("session", "abc", { secure: true });
  // ok: js-cookie-without-secure
  res.cookie("session", "abc", { secure: true, httpOnly: true, sameSite: "lax" });
  // ok: js-cookie-without-httponly
  res.cookie("theme", "dark", { httpOnly: true, secure: true });
  res.end();
});
// ruleid: js-cookie-without-secure
app.use(session({ secret: process.env.SESSION_SECRET, resave: false, saveUninitialized: false }));

// ---- trust boundary ------------------------------------------------------------------------

app.post("/remember", (req, res) => {
  // ruleid: js-trust-boundary-violation
  req.session.role = req.body.role;
  // ok: js-trust-boundary-violation
  req.session.page = parseInt(req.body.page, 10);
  const themes = ["dark", "light"];
  if (themes.includes(req.body.theme)) {
    // ok: js-trust-boundary-violation
    req.session.theme = req.body.theme;
  }
  res.end();
});

// ---- file upload ---------------------------------------------------------------------------

// ruleid: js-unrestricted-file-upload
const upload = multer({ dest: "uploads/" });
// ok: js-unrestricted-file-upload
const checkedUpload = multer({ dest: "uploads/", fileFilter: (req, file, cb) => cb(null, file.mimetype === "image/png") });

app.post("/upload", (req, res) => {
  const file = req.files.avatar;
  // ruleid: js-unrestricted-file-upload
  file.mv(path.join(__dirname, "uploads", file.name));
  res.end();
});

app.post("/upload/checked", (req, res) => {
  const image = req.files.avatar;
  const allowedTypes = ["image/png", "image/jpeg"];
  if (allowedTypes.includes(image.mimetype)) {
    // ok: js-unrestricted-file-upload
    image.mv(path.join(__dirname, "uploads", crypto.randomUUID() + ".png"));
  }
  res.end();
});

// ---- hard-coded secrets --------------------------------------------------------------------

// ruleid: js-hardcoded-secret
const API_TOKEN = "sk_live_51HqLyjWDarjtT1zdp7dcXYZsecret";
// ruleid: js-hardcoded-secret
const dbConfig = { host: "db", user: "app", password: "Sup3rS3cret!" };
// ruleid: js-hardcoded-secret
const signed = jwt.sign({ sub: 1 }, "my-jwt-signing-key");
// ok: js-hardcoded-secret
const fromEnv = { password: process.env.DB_PASSWORD };
// ok: js-hardcoded-secret
const PASSWORD_FIELD = "password_hash";

// ---- TLS -----------------------------------------------------------------------------------

// ruleid: js-tls-verification-disabled
process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
// ruleid: js-tls-verification-disabled
const agent = new https.Agent({ rejectUnauthorized: false });
// ok: js-tls-verification-disabled
const strictAgent = new https.Agent({ rejectUnauthorized: true });
