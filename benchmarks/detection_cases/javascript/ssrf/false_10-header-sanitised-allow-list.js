// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

const axios = require("axios");

app.get("/case", (req, res) => {

  const url = req.headers["x-q"];
  if (["https://api.example.com/a"].includes(url)) {
    axios.get(url).then(() => res.end());
  }

});
