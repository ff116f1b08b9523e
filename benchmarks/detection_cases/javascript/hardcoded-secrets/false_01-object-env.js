// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const dbConfig = { host: "db", password: process.env.DB_PASSWORD };
