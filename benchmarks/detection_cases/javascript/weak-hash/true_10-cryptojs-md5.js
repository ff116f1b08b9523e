// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const CryptoJS = require("crypto-js");

function digest(password) {
  return CryptoJS.MD5(password).toString();
}
