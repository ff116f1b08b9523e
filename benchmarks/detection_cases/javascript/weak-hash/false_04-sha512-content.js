// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const crypto = require("crypto");

function digest(content) {
  return crypto.createHash("sha512").update(content).digest("hex");
}
