// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

app.post("/case", (req, res) => {

  const value = req.body.q;
  res.redirect(302, value);

});
