// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

const xpath = require("xpath");

app.get("/case", (req, res) => {

  res.json(xpath.select("//user[@name='" + req.query.q + "']", doc).length);

});
