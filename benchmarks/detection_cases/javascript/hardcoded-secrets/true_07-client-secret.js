// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

var clientSecret = "9f8e7d6c5b4a3928170665";
