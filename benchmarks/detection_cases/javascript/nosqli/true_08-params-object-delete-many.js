// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

const { MongoClient } = require("mongodb");

const users = new MongoClient("mongodb://db").db("app").collection("users");

app.get("/case/:q", (req, res) => {

  const data = { key: req.params.q };
  users.deleteMany({ owner: data.key }).then(() => res.end());

});
