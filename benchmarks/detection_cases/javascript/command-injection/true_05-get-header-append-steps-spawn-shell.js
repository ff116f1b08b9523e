// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

app.get("/case", (req, res) => {

  let value = "";
  value += req.get("X-Q");
  require("child_process").spawn("host " + value, { shell: true });

});
