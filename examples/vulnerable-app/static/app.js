// Deliberately vulnerable browser code (secpipe example). NEVER deploy it.

// DOM XSS (CWE-79): the URL fragment is written as HTML.
document.getElementById("greeting").innerHTML = decodeURIComponent(window.location.hash.substring(1));

// Code injection (CWE-95).
function calculate(expression) {
  return eval(expression);
}

// Hard-coded secret (CWE-798).
const API_TOKEN = "sk_live_51HqLyjWDarjtT1zdp7dcXYZsecret";
