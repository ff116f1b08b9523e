// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

app.post("/case", (req, res) => {

  let value = req.body.q;
  value = "fixed";
  res.redirect(302, value);

});
