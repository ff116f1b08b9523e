// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

const fs = require("fs");
const path = require("path");

app.get("/case", (req, res) => {

  const value = "" + req.headers["x-q"];
  res.download("/srv/files/" + value);

});
