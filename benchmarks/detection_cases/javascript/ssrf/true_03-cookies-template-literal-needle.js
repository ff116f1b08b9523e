// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

const needle = require("needle");

app.get("/case", (req, res) => {

  const value = `${req.cookies.q}`;
  needle("get", value, () => res.end());

});
