// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();
const path = require("path");

app.post("/u", (req, res) => {
  const file = req.files.avatar;
  file.mv(path.join(__dirname, "uploads", file.name));
  res.end();
});
