// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

const { exec, execSync } = require("child_process");

app.post("/case", (req, res) => {

  const value = req.body.q;
  execSync(`nslookup ${value}`);

});
