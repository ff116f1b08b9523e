// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();
const ns = require("node-serialize");

app.post("/p", (req, res) => res.json(ns.unserialize(req.body.data)));
