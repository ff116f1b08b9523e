// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

const { MongoClient } = require("mongodb");

const users = new MongoClient("mongodb://db").db("app").collection("users");

app.get("/case/:q", (req, res) => {

  let value = "fixed";
  if (false) {
    value = req.params.q;
  }
  users.findOne({ name: value }).then((u) => res.json(u));

});
