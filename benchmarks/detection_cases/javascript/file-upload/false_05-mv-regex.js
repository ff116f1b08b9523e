// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();
app.post("/u", (req, res) => {
  const f = req.files.f;
  if (/\.(png|jpg)$/.test(f.name)) {
    f.mv("/srv/uploads/" + Date.now());
  }
  res.end();
});
