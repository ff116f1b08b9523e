// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

const axios = require("axios");

app.get("/case", (req, res) => {

  axios.get(`https://api.example.com/items/${encodeURIComponent(req.get("X-Q"))}`).then(() => res.end());

});
