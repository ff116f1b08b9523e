// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

function poll(cmd) {
  setInterval("run('" + cmd + "')", 1000);
}
