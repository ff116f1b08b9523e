// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

const xpath = require("xpath");

app.post("/case", (req, res) => {

  const data = { key: req.body.q };
  res.json(String(xpath.select1(`//user[@id='${data.key}']`, doc)));

});
