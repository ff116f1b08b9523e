<?php
// Deliberately vulnerable PHP page (secpipe example). NEVER deploy it.

$conn = mysqli_connect("127.0.0.1", "app", "app-password-123", "shop");

// Reflected XSS (CWE-79).
echo "<h1>Hello " . $_GET['name'] . "</h1>";

// SQL injection (CWE-89).
$result = mysqli_query($conn, "SELECT * FROM products WHERE id = " . $_GET['id']);

// OS command injection (CWE-78).
system("nslookup " . $_GET['domain']);

// Local file inclusion / path traversal (CWE-22).
include($_GET['page'] . ".php");

// Unsafe deserialization (CWE-502).
$prefs = unserialize($_COOKIE['prefs']);

// Weak password hash (CWE-327).
$hash = md5($_POST['password']);

// SSRF (CWE-918).
$body = file_get_contents($_GET['url']);
