// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

app.get("/case", (req, res) => {

  const items = ["fixed", req.get("X-Q")];
  fetch(items[0]).then((r) => res.sendStatus(r.status));

});
