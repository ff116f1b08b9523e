// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

const axios = require("axios");

app.get("/case", (req, res) => {

  axios.get(req.query.q).then((r) => res.send(r.status));

});
