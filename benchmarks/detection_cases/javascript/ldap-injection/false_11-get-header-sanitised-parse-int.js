// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).
const escapeHtml = require("escape-html");

const express = require("express");

const app = express();

const ldap = require("ldapjs");

const client = ldap.createClient({ url: "ldap://127.0.0.1" });

app.get("/case", (req, res) => {

  client.search("dc=example,dc=com", { filter: "(uidNumber=" + parseInt(req.get("X-Q"), 10) + ")" }, () => res.end());

});
