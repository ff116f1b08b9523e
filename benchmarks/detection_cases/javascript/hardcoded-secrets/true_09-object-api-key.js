// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

module.exports = { port: 3000, apiKey: "ghp_16C7e42F292c6912E7710c838347Ae178B4a" };
