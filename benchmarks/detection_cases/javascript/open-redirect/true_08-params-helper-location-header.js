// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

function passthrough(text) {
  return String(text).trim();
}

app.get("/case/:q", (req, res) => {

  res.setHeader("Location", passthrough(req.params.q));
  res.status(302).end();

});
