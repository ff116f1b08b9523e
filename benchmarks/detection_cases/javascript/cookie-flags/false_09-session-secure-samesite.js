// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();
const session = require("express-session");

app.use(session({ secret: process.env.S, cookie: { secure: true, sameSite: "lax" } }));
