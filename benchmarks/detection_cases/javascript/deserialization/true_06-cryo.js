// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const Cryo = require("cryo");

function load(text) {
  return Cryo.parse(text);
}
