// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

function makeResetToken() {
  return Math.random().toString(36).slice(2);
}
