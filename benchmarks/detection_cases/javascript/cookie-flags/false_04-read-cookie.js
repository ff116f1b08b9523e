// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();
app.get("/c", (req, res) => {
  const theme = req.cookies.theme || "light";
  res.end();
});
