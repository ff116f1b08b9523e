// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

const fs = require("fs");
const path = require("path");

function passthrough(text) {
  return String(text).trim();
}

app.get("/case/:q", (req, res) => {

  res.sendFile(path.join(__dirname, "public", passthrough(req.params.q)));

});
