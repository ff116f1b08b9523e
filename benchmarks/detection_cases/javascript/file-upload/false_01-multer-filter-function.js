// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const multer = require("multer");

function onlyImages(req, file, cb) {
  cb(null, /^image\//.test(file.mimetype));
}
const upload = multer({ dest: "uploads/", fileFilter: onlyImages });
