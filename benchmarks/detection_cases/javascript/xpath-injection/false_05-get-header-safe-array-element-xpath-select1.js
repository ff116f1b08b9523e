// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

const xpath = require("xpath");

app.get("/case", (req, res) => {

  const items = ["fixed", req.get("X-Q")];
  res.json(String(xpath.select1(`//user[@id='${items[0]}']`, doc)));

});
