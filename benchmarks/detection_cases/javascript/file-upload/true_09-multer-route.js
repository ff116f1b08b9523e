// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();
const multer = require("multer");

app.post("/u", multer({ dest: "uploads/" }).single("file"), (req, res) => res.end());
