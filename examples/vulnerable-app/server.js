// Deliberately vulnerable Node.js service (secpipe example). NEVER deploy it.
const express = require("express");
const { exec } = require("child_process");
const fs = require("fs");
const path = require("path");
const crypto = require("crypto");

const app = express();

// OS command injection (CWE-78).
app.get("/ping", (req, res) => {
  exec("ping -c 1 " + req.query.host, (err, stdout) => res.send(stdout));
});

// Path traversal (CWE-22).
app.get("/download", (req, res) => {
  res.send(fs.readFileSync(path.join(__dirname, "files", req.query.name)));
});

// Reflected XSS (CWE-79).
app.get("/hello", (req, res) => {
  res.send("<h1>Hello " + req.query.name + "</h1>");
});

// Weak hash (CWE-327).
function hashPassword(password) {
  return crypto.createHash("md5").update(password).digest("hex");
}

// TLS verification disabled (CWE-295).
process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";

app.listen(3000, "127.0.0.1");
