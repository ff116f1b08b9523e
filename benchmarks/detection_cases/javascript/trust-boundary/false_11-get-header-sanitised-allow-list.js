// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

app.get("/case", (req, res) => {

  const theme = req.get("X-Q");
  if (["dark", "light"].includes(theme)) {
    req.session.theme = theme;
  }
  res.end();

});
