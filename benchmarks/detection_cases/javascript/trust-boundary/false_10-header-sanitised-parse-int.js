// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

app.get("/case", (req, res) => {

  req.session.page = parseInt(req.headers["x-q"], 10);
  res.end();

});
