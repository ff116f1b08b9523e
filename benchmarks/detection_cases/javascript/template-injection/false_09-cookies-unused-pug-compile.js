// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

const pug = require("pug");

app.get("/case", (req, res) => {

  const unused = req.cookies.q;
  res.send(pug.compile("p " + "fixed")());

});
