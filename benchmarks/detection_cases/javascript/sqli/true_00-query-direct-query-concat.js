// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

const mysql = require("mysql");

const db = mysql.createConnection({ host: "db" });

app.get("/case", (req, res) => {

  db.query("SELECT * FROM users WHERE name = '" + req.query.q + "'");

});
