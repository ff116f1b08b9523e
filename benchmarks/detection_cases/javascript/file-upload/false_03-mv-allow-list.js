// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();
app.post("/u", (req, res) => {
  const image = req.files.avatar;
  const allowedTypes = ["image/png", "image/jpeg"];
  if (allowedTypes.includes(image.mimetype)) {
    image.mv("/srv/uploads/" + Date.now() + ".png");
  }
  res.end();
});
