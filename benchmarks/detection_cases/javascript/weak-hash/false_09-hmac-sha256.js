// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const crypto = require("crypto");

function sign(body, key) {
  return crypto.createHmac("sha256", key).update(body).digest("hex");
}
