// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

function createInviteCode() {
  return Math.random().toString(36).substring(2, 10);
}
