// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const bcrypt = require("bcrypt");

function hashPassword(password) {
  return bcrypt.hash(password, 12);
}
