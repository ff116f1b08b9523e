// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();
app.post("/u", (req, res) => {
  const img = req.files.image;
  img.mv(`${__dirname}/public/${img.name}`);
  res.end();
});
