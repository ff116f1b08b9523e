// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const crypto = require("crypto");

function digest(apiKey) {
  return crypto.createHash("MD5").update(apiKey).digest("hex");
}
