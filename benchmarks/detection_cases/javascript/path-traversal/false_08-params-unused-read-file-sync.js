// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

const fs = require("fs");
const path = require("path");

app.get("/case/:q", (req, res) => {

  const unused = req.params.q;
  res.send(fs.readFileSync(path.join(__dirname, "files", "fixed")));

});
