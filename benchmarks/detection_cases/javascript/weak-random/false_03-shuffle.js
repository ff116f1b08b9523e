// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

function shuffle(list) {
  return list.sort(() => Math.random() - 0.5);
}
