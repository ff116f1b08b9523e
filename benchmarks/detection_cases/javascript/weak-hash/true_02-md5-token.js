// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const crypto = require("crypto");

function digest(token) {
  return crypto.createHash("md5").update(token).digest("hex");
}
