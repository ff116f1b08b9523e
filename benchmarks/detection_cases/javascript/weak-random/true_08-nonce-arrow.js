// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const makeNonce = () => {
  return Math.random().toString(36);
};
