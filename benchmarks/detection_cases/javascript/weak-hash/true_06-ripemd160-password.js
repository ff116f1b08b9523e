// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const crypto = require("crypto");

function digest(password) {
  return crypto.createHash("ripemd160").update(password).digest("hex");
}
