// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

function wobble(el) {
  el.style.left = Math.random() * 10 + "px";
}
