// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const s = require("node-serialize");

function save(obj) {
  return s.serialize(obj);
}
