// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const q = new URLSearchParams(location.search).get("q");
document.write("<p>" + q + "</p>");
