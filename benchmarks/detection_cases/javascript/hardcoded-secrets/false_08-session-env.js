// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const session = require("express-session");

const mw = session({ secret: process.env.SESSION_SECRET, cookie: { secure: true } });
