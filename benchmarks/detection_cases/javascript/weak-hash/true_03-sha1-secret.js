// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const crypto = require("crypto");

function digest(secret) {
  return crypto.createHash("sha1").update(secret).digest("hex");
}
