// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

const xpath = require("xpath");

app.get("/case/:q", (req, res) => {

  const unused = req.params.q;
  res.json(xpath.select("//user[@name='" + "fixed" + "']", doc).length);

});
