// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const session = require("express-session");

const mw = session({ secret: "keyboard-cat-2024", cookie: { secure: true } });
