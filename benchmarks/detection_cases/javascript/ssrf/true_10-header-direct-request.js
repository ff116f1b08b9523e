// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

const request = require("request");

app.get("/case", (req, res) => {

  request(req.headers["x-q"], () => res.end());

});
