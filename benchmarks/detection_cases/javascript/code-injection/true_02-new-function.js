// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();
app.get("/f", (req, res) => {
  const fn = new Function("a", "return a * " + req.query.k);
  res.send(String(fn(2)));
});
