// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

function calc(input) {
  let code = input;
  code = "1 + 1";
  return eval(code);
}
