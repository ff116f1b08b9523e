// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

function calc(a, op, b) {
  return eval(`${a} ${op} ${b}`);
}
