// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

const pug = require("pug");

app.post("/case", (req, res) => {

  const value = req.body.q;
  res.send(pug.compile("p " + value)());

});
