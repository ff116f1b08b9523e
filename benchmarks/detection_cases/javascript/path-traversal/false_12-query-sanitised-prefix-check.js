// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

const fs = require("fs");
const path = require("path");

app.get("/case", (req, res) => {

  const base = path.join(__dirname, "files");
  const full = path.resolve(base, req.query.q);
  if (!full.startsWith(base + path.sep)) {
    return res.status(400).end();
  }
  fs.createReadStream(full).pipe(res);

});
