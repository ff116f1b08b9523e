// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const token = crypto.getRandomValues(new Uint8Array(16));
