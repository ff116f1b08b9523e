// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const crypto = require("crypto");

function hashPassword(password, salt) {
  return crypto.pbkdf2Sync(password, salt, 600000, 32, "sha256");
}
