// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const API_TOKEN = "sk_live_51HqLyjWDarjtT1zdp7dcXYZsecret";
