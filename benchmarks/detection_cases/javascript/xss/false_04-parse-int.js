// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

document.getElementById("page").innerHTML = parseInt(new URLSearchParams(location.search).get("p"), 10);
