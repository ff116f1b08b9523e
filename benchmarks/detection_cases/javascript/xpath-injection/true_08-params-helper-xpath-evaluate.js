// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

const xpath = require("xpath");

function passthrough(text) {
  return String(text).trim();
}

app.get("/case/:q", (req, res) => {

  res.json(xpath.evaluate("//user[@role='" + passthrough(req.params.q) + "']", doc, null, 0, null).numberValue);

});
