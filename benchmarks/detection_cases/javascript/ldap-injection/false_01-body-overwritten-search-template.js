// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

const ldap = require("ldapjs");

const client = ldap.createClient({ url: "ldap://127.0.0.1" });

app.post("/case", (req, res) => {

  let value = req.body.q;
  value = "fixed";
  client.search("ou=people,dc=example,dc=com", { filter: `(cn=${value})`, scope: "sub" }, () => res.end());

});
