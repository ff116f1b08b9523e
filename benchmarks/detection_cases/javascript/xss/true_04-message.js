// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

window.addEventListener("message", (event) => {
  document.getElementById("box").innerHTML = event.data;
});
