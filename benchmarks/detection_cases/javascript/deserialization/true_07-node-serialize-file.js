// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const fs = require("fs");
const s = require("node-serialize");

const state = s.unserialize(fs.readFileSync("state.txt", "utf8"));
