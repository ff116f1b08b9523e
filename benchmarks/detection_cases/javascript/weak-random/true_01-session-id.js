// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const sessionId = Math.floor(Math.random() * 1e16).toString(16);
