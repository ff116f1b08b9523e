// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

const request = require("request");

app.get("/case", (req, res) => {

  const value = "" + req.headers["x-q"];
  request(value, () => res.end());

});
