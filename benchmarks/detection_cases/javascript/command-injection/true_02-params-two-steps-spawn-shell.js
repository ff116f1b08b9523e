// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

app.get("/case/:q", (req, res) => {

  const first = req.params.q;
  const value = first.trim();
  require("child_process").spawn("host " + value, { shell: true });

});
