// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

const axios = require("axios");

app.get("/case/:q", (req, res) => {

  const unused = req.params.q;
  axios.get("fixed").then((r) => res.send(r.status));

});
