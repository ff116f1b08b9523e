// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();
const serialize = require("node-serialize");

app.get("/p", (req, res) => res.json(serialize.unserialize(req.cookies.prefs)));
