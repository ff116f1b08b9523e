// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const secret = process.env.APP_SECRET || "dev-secret-123456";
