// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

const fs = require("fs");
const path = require("path");

app.get("/case/:q", (req, res) => {

  const first = req.params.q;
  const value = first.trim();
  fs.createReadStream(`/srv/files/${value}`).pipe(res);

});
