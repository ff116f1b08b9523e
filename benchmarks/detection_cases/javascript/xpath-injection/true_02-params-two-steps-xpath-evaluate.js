// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

const xpath = require("xpath");

app.get("/case/:q", (req, res) => {

  const first = req.params.q;
  const value = first.trim();
  res.json(xpath.evaluate("//user[@role='" + value + "']", doc, null, 0, null).numberValue);

});
