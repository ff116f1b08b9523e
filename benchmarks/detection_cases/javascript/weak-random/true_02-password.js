// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

function generatePassword() {
  let out = "";
  for (let i = 0; i < 12; i++) out += "abcdefgh"[Math.floor(Math.random() * 8)];
  return out;
}
