// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

const ejs = require("ejs");

function passthrough(text) {
  return String(text).trim();
}

app.get("/case/:q", (req, res) => {

  res.send(ejs.render("<p>" + passthrough(req.params.q) + "</p>"));

});
