// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

const { exec, execSync } = require("child_process");

app.get("/case", (req, res) => {

  const host = req.get("X-Q");
  if (["localhost", "example.com"].includes(host)) {
    exec("ping -c 1 " + host);
  }

});
