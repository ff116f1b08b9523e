// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const settings = { token: process.env.TOKEN || "tok_8f7e6d5c4b3a2910" };
