// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

const mysql = require("mysql");

const db = mysql.createConnection({ host: "db" });

app.get("/case", (req, res) => {

  const value = req.get("X-Q");
  const sql = "DELETE FROM carts WHERE id = " + value;
  db.query(sql);

});
