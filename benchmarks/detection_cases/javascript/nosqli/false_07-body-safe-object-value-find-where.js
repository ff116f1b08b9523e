// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

const { MongoClient } = require("mongodb");

const users = new MongoClient("mongodb://db").db("app").collection("users");

app.post("/case", (req, res) => {

  const data = { safe: "fixed", user: req.body.q };
  users.find({ $where: "this.name == '" + data.safe + "'" }).toArray().then((u) => res.json(u));

});
