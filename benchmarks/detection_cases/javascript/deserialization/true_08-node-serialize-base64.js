// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const s = require("node-serialize");

function load(b64) {
  return s.unserialize(Buffer.from(b64, "base64").toString());
}
