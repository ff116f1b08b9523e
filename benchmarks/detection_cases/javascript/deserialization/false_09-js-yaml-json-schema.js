// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const yaml = require("js-yaml");

function load(text) {
  return yaml.load(text, { schema: yaml.JSON_SCHEMA });
}
