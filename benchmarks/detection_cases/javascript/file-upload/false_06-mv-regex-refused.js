// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();
app.post("/u", (req, res) => {
  const f = req.files.f;
  if (!/\.(png|jpg)$/.test(f.name)) {
    return res.status(400).end();
  }
  f.mv("/srv/uploads/" + Date.now());
  res.end();
});
