// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

const { exec, execSync } = require("child_process");

app.get("/case", (req, res) => {

  const m = new Map();
  m.set("key", req.cookies.q);
  exec("ping -c 1 " + m.get("key"));

});
