// Annotated examples for pipeline/tools/semgrep_rules/javascript.yaml (semgrep --test).
const express = require("express");
const { exec } = require("child_process");
const fs = require("fs");
const path = require("path");
const crypto = require("crypto");
const https = require("https");
const serializer = require("node-serialize");

const app = express();

function dom() {
  // ruleid: js-dom-xss
  document.getElementById("greeting").innerHTML = decodeURIComponent(window.location.hash.substring(1));
  // ok: js-dom-xss
  document.getElementById("greeting").textContent = decodeURIComponent(window.location.hash.substring(1));
  // ok: js-dom-xss
  document.getElementById("greeting").innerHTML = "<b>static</b>";
}

function calculate(expression) {
  // ruleid: js-code-injection
  return eval(expression);
}
// ok: js-code-injection
const answer = eval("6 * 7");

app.get("/ping", (req, res) => {
  // ruleid: js-command-injection
  exec("ping -c 1 " + req.query.host, (err, stdout) => res.send(stdout));
  // ok: js-command-injection
  exec("uptime", (err, stdout) => res.send(stdout));
});

app.get("/download", (req, res) => {
  // ruleid: js-path-traversal
  res.send(fs.readFileSync(path.join(__dirname, "files", req.query.name)));
});

app.get("/download-safe", (req, res) => {
  // ok: js-path-traversal
  res.send(fs.readFileSync(path.join(__dirname, "files", path.basename(req.query.name))));
});

app.get("/hello", (req, res) => {
  // ruleid: js-express-reflected-xss
  res.send("<h1>Hello " + req.query.name + "</h1>");
});

app.get("/hello-static", (req, res) => {
  // ok: js-express-reflected-xss
  res.send("<h1>Hello</h1>");
});

app.get("/users", (req, res) => {
  // ruleid: js-sql-injection
  db.query("SELECT * FROM users WHERE id = " + req.query.id);
  // ok: js-sql-injection
  db.query("SELECT * FROM users WHERE id = ?", [req.query.id]);
});

app.get("/proxy", async (req, res) => {
  // ruleid: js-ssrf
  const upstream = await fetch(req.query.url);
  // ok: js-ssrf
  const status = await fetch("https://status.example.invalid/");
  res.send(await upstream.text());
});

app.post("/restore", (req, res) => {
  // ruleid: js-unsafe-deserialization
  const state = serializer.unserialize(req.body.state);
  // ok: js-unsafe-deserialization
  const parsed = JSON.parse(req.body.state);
});

function hashPassword(password) {
  // ruleid: js-weak-hash
  return crypto.createHash("md5").update(password).digest("hex");
}

function digest(data) {
  // ok: js-weak-hash
  return crypto.createHash("sha256").update(data).digest("hex");
}

// ruleid: js-hardcoded-secret
const API_TOKEN = "sk_live_51HqLyjWDarjtT1zdp7dcXYZsecret";
// ok: js-hardcoded-secret
const API_TOKEN_FROM_ENV = process.env.API_TOKEN;

// ruleid: js-tls-verification-disabled
process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
// ruleid: js-tls-verification-disabled
https.get({ host: "example.invalid", rejectUnauthorized: false });
// ok: js-tls-verification-disabled
https.get({ host: "example.invalid" });
