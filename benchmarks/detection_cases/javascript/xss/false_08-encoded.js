// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

document.getElementById("o").innerHTML = encodeURIComponent(location.search);
