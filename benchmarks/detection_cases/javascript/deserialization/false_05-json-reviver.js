// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

function load(text) {
  return JSON.parse(text, (k, v) => (typeof v === "string" ? v.trim() : v));
}
