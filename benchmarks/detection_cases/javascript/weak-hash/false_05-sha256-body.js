// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const crypto = require("crypto");

function digest(body) {
  return crypto.createHash("sha256").update(body).digest("hex");
}
