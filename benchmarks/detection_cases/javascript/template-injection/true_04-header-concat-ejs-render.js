// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

const ejs = require("ejs");

app.get("/case", (req, res) => {

  const value = "" + req.headers["x-q"];
  res.send(ejs.render("<p>" + value + "</p>"));

});
