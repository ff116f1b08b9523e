// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

const Handlebars = require("handlebars");

app.get("/case", (req, res) => {

  const items = [];
  items.push(req.query.q);
  res.send(Handlebars.compile("Hi " + items[0])({}));

});
