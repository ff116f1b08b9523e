// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const funcster = require("funcster");

function load(obj) {
  return funcster.deepDeserialize(obj);
}
