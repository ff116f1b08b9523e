// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

function load(b64) {
  return Buffer.from(b64, "base64").toString("utf8");
}
