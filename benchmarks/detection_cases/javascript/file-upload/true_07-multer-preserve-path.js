// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const multer = require("multer");

const upload = multer({ dest: "public/uploads/", preservePath: true });
