// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

const ldap = require("ldapjs");

const client = ldap.createClient({ url: "ldap://127.0.0.1" });

app.get("/case/:q", (req, res) => {

  const first = req.params.q;
  const value = first.trim();
  client.search("dc=example,dc=com", { filter: "(uid=" + value + ")" }, () => res.end());

});
