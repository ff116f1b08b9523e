// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

document.getElementById("n").innerHTML = localStorage.getItem("name");
