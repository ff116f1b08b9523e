// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const ops = { add: (a, b) => a + b };

function calc(op, a, b) {
  return ops[op] ? ops[op](a, b) : null;
}
