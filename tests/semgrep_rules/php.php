<?php
// Annotated examples for pipeline/tools/semgrep_rules/php.yaml (semgrep --test).

// ruleid: php-hardcoded-db-password
$conn = mysqli_connect("127.0.0.1", "app", "app-password-123", "shop");
// ok: php-hardcoded-db-password
$conn2 = mysqli_connect("127.0.0.1", "app", getenv("DB_PASSWORD"), "shop");

// ruleid: php-reflected-xss
echo "<h1>Hello " . $_GET['name'] . "</h1>";
// ok: php-reflected-xss
echo "<h1>Hello " . htmlspecialchars($_GET['name'], ENT_QUOTES) . "</h1>";

// ruleid: php-sql-injection
$result = mysqli_query($conn, "SELECT * FROM products WHERE id = " . $_GET['id']);
// ok: php-sql-injection
$result = mysqli_query($conn, "SELECT * FROM products WHERE id = " . intval($_GET['id']));

// ruleid: php-command-injection
system("nslookup " . $_GET['domain']);
// ok: php-command-injection
system("nslookup " . escapeshellarg($_GET['domain']));

// ruleid: php-file-inclusion
include($_GET['page'] . ".php");
// ok: php-file-inclusion
include("header.php");

// ruleid: php-unsafe-deserialization
$prefs = unserialize($_COOKIE['prefs']);
// ok: php-unsafe-deserialization
$prefs = json_decode($_COOKIE['prefs'], true);

// ruleid: php-weak-hash
$hash = md5($password);
// ok: php-weak-hash
$hash = password_hash($password, PASSWORD_DEFAULT);

// ruleid: php-ssrf
$body = file_get_contents($_GET['url']);
// ok: php-ssrf
$body = file_get_contents("/etc/app/motd.txt");

$ch = curl_init("https://example.invalid/");
// ruleid: php-tls-verification-disabled
curl_setopt($ch, CURLOPT_SSL_VERIFYPEER, false);
// ok: php-tls-verification-disabled
curl_setopt($ch, CURLOPT_SSL_VERIFYPEER, true);
