// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

app.get("/case", (req, res) => {

  const next = req.headers["x-q"];
  if (["/home", "/account"].includes(next)) {
    return res.redirect(next);
  }
  res.redirect("/");

});
