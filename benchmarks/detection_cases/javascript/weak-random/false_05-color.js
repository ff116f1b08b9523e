// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

function randomColor() {
  return `hsl(${Math.random() * 360}, 50%, 50%)`;
}
