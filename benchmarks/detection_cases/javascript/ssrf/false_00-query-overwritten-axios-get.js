// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

const axios = require("axios");

app.get("/case", (req, res) => {

  let value = req.query.q;
  value = "fixed";
  axios.get(value).then((r) => res.send(r.status));

});
