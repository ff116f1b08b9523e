// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const vm = require("vm");

const result = vm.runInNewContext("1 + 1", {});
