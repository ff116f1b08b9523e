// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

const got = require("got");

function passthrough(text) {
  return String(text).trim();
}

app.get("/case/:q", (req, res) => {

  got(passthrough(req.params.q)).then((r) => res.sendStatus(r.statusCode));

});
