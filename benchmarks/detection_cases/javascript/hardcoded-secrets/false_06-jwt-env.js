// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const jwt = require("jsonwebtoken");

function issue(user) {
  return jwt.sign({ sub: user.id }, process.env.JWT_KEY);
}
