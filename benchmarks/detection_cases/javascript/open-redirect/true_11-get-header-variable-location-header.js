// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

app.get("/case", (req, res) => {

  const value = req.get("X-Q");
  res.setHeader("Location", value);
  res.status(302).end();

});
