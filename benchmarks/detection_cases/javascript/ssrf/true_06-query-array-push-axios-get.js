// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

const axios = require("axios");

app.get("/case", (req, res) => {

  const items = [];
  items.push(req.query.q);
  axios.get(items[0]).then((r) => res.send(r.status));

});
