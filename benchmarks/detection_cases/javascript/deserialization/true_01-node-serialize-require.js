// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

function load(text) {
  return require("node-serialize").unserialize(text);
}
