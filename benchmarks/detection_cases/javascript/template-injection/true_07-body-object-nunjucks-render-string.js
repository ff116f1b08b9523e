// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

const nunjucks = require("nunjucks");

app.post("/case", (req, res) => {

  const data = { key: req.body.q };
  res.send(nunjucks.renderString("Hi " + data.key, {}));

});
