// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

const { exec, execSync } = require("child_process");

app.get("/case", (req, res) => {

  const items = [];
  items.push(req.query.q);
  exec("ping -c 1 " + items[0]);

});
