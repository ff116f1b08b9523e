// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

function later(name) {
  setTimeout(() => console.log(name), 100);
}
