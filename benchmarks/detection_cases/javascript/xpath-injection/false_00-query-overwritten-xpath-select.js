// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

const xpath = require("xpath");

app.get("/case", (req, res) => {

  let value = req.query.q;
  value = "fixed";
  res.json(xpath.select("//user[@name='" + value + "']", doc).length);

});
