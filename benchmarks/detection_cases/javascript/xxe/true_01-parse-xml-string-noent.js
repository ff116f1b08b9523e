// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const libxmljs = require("libxmljs");

function parse(xml) {
  return libxmljs.parseXmlString(xml, { noent: true });
}
