// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

const mysql = require("mysql");

const db = mysql.createConnection({ host: "db" });

function passthrough(text) {
  return String(text).trim();
}

app.get("/case/:q", (req, res) => {

  const sql = "DELETE FROM carts WHERE id = " + passthrough(req.params.q);
  db.query(sql);

});
