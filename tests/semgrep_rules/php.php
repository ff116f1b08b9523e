<?php
// Annotated examples for pipeline/tools/semgrep_rules/php.yaml (semgrep --test).
// Each taint rule has the variants a benchmark uses against false positives: a
// sanitised value, a value overwritten by a constant, a branch that never runs,
// and the safe element of an array that also holds a tainted one.

// ---- hard-coded credentials ----------------------------------------------------------------

// ruleid: php-hardcoded-db-password
$conn = mysqli_connect("127.0.0.1", "app", "app-password-123", "shop");
// ok: php-hardcoded-db-password
$conn2 = mysqli_connect("127.0.0.1", "app", getenv("DB_PASSWORD"), "shop");
// ruleid: php-hardcoded-secret
$api_key = "sk_live_51HqLyjWDarjtT1zdp7dc";
// ruleid: php-hardcoded-secret
define('DB_PASSWORD', 'Sup3rS3cret!');
// ruleid: php-hardcoded-secret
$config = ['db_password' => 'hunter2hunter2', 'host' => 'localhost'];
// ok: php-hardcoded-secret
$password_field = "password_hash";
// ok: php-hardcoded-secret
$api_key2 = getenv('API_KEY');

// ---- XSS -----------------------------------------------------------------------------------

// ruleid: php-reflected-xss
echo "<h1>Hello " . $_GET['name'] . "</h1>";
// ok: php-reflected-xss
echo "<h1>Hello " . htmlspecialchars($_GET['name'], ENT_QUOTES) . "</h1>";
$greeting = $_POST['greeting'];
$greeting = "Welcome";
// ok: php-reflected-xss
echo $greeting;
$row = mysqli_fetch_assoc($result);
// ruleid: php-reflected-xss
echo "<p>" . $row['comment'] . "</p>";
$words = array("hello", $_GET['word']);
// ok: php-reflected-xss
echo $words[0];

// ---- SQL injection -------------------------------------------------------------------------

// ruleid: php-sql-injection
$result = mysqli_query($conn, "SELECT * FROM products WHERE id = " . $_GET['id']);
// ok: php-sql-injection
$result = mysqli_query($conn, "SELECT * FROM products WHERE id = " . intval($_GET['id']));
$name = $_POST['name'];
$sql = "SELECT * FROM users WHERE name = '";
$sql .= $name . "'";
// ruleid: php-sql-injection
$pdo->query($sql);
$stmt = $pdo->prepare("SELECT * FROM users WHERE name = ?");
// ok: php-sql-injection
$stmt->execute([$name]);
$dead = "guest";
if (false) {
    $dead = $_GET['user'];
}
// ok: php-sql-injection
$pdo->query("SELECT * FROM users WHERE name = '$dead'");
$map = ['fixed' => 'alice', 'input' => $_GET['user']];
// ok: php-sql-injection
$pdo->query("SELECT * FROM users WHERE name = '" . $map['fixed'] . "'");
// ruleid: php-sql-injection
$pdo->query("SELECT * FROM users WHERE name = '" . $map['input'] . "'");

// ---- command injection ---------------------------------------------------------------------

// ruleid: php-command-injection
system("nslookup " . $_GET['domain']);
// ok: php-command-injection
system("nslookup " . escapeshellarg($_GET['domain']));
$host = $_REQUEST['host'];
// ruleid: php-command-injection
$out = shell_exec("ping -c 1 $host");

// ---- path traversal ------------------------------------------------------------------------

// ruleid: php-file-inclusion
include($_GET['page'] . ".php");
// ok: php-file-inclusion
include("header.php");
// ruleid: php-file-inclusion
$text = file_get_contents("/var/docs/" . $_GET['doc']);
// ok: php-file-inclusion
$text = file_get_contents("/var/docs/" . basename($_GET['doc']));
$path = realpath("/var/docs/" . $_GET['file']);
if (strpos($path, "/var/docs/") !== 0) {
    die("no");
}
// ok: php-file-inclusion
readfile($path);

// ---- SSRF ----------------------------------------------------------------------------------

// ruleid: php-ssrf, php-file-inclusion
$body = file_get_contents($_GET['url']);
// ok: php-ssrf
$body = file_get_contents("/etc/app/motd.txt");
$target = $_POST['target'];
// ruleid: php-ssrf
$ch = curl_init($target);
$allowed = ["https://api.example.com/a", "https://api.example.com/b"];
if (in_array($target, $allowed, true)) {
    // ok: php-ssrf
    $ch = curl_init($target);
}

$ch = curl_init("https://example.invalid/");
// ruleid: php-tls-verification-disabled
curl_setopt($ch, CURLOPT_SSL_VERIFYPEER, false);
// ok: php-tls-verification-disabled
curl_setopt($ch, CURLOPT_SSL_VERIFYPEER, true);

// ---- open redirect -------------------------------------------------------------------------

// ruleid: php-open-redirect
header("Location: " . $_GET['next']);
// ok: php-open-redirect
header("Location: /home");
// ok: php-open-redirect
header("Content-Type: " . $_GET['type']);

// ---- NoSQL injection -----------------------------------------------------------------------

// ruleid: php-nosql-injection
$user = $collection->findOne(['user' => $_POST['user'], 'password' => $_POST['password']]);
// ok: php-nosql-injection
$user = $collection->findOne(['user' => (string) $_POST['user'], 'password' => strval($_POST['password'])]);

// ---- code injection ------------------------------------------------------------------------

// ruleid: php-code-injection
eval("\$result = " . $_GET['expr'] . ";");
// ok: php-code-injection
eval("\$result = 1 + 2;");
// ruleid: php-preg-replace-eval
$out = preg_replace('/(.*)/e', 'strtoupper("\\1")', $input);
// ok: php-preg-replace-eval
$out = preg_replace('/(.*)/i', 'x', $input);

// ---- template injection --------------------------------------------------------------------

// ruleid: php-template-injection
$template = $twig->createTemplate("Hello " . $_GET['name']);
// ok: php-template-injection
$template = $twig->createTemplate("Hello {{ name }}");

// ---- XPath injection -----------------------------------------------------------------------

$xpath = new DOMXPath($doc);
// ruleid: php-xpath-injection
$nodes = $xpath->query("//user[@name='" . $_GET['user'] . "']");
// ok: php-xpath-injection
$nodes = $xpath->query("//user[@id='" . intval($_GET['id']) . "']");

// ---- LDAP injection ------------------------------------------------------------------------

// ruleid: php-ldap-injection
$found = ldap_search($ldap, "dc=example,dc=com", "(uid=" . $_GET['user'] . ")");
// ok: php-ldap-injection
$found = ldap_search($ldap, "dc=example,dc=com", "(uid=" . ldap_escape($_GET['user'], "", LDAP_ESCAPE_FILTER) . ")");

// ---- XXE -----------------------------------------------------------------------------------

$dom = new DOMDocument();
// ruleid: php-xxe
$dom->loadXML($xml, LIBXML_NOENT | LIBXML_DTDLOAD);
// ok: php-xxe
$dom->loadXML($xml);
// ruleid: php-xxe
$sx = simplexml_load_string($xml, 'SimpleXMLElement', LIBXML_NOENT);
// ok: php-xxe
$sx = simplexml_load_string($xml);

// ---- deserialisation -----------------------------------------------------------------------

// ruleid: php-unsafe-deserialization
$prefs = unserialize($_COOKIE['prefs']);
// ok: php-unsafe-deserialization
$prefs = json_decode($_COOKIE['prefs'], true);
// ok: php-unsafe-deserialization
$prefs = unserialize($_COOKIE['prefs'], ['allowed_classes' => false]);

// ---- weak hash -----------------------------------------------------------------------------

// ruleid: php-weak-hash
$hash = md5($password);
// ruleid: php-weak-hash
$stored = sha1($_POST['pwd'] . $salt);
// ok: php-weak-hash
$hash = password_hash($password, PASSWORD_DEFAULT);
// ok: php-weak-hash
$etag = md5($fileContents);

// ---- weak random ---------------------------------------------------------------------------

// ruleid: php-weak-random
$token = md5(uniqid(mt_rand(), true));
// ok: php-weak-random
$token = bin2hex(random_bytes(16));
// ok: php-weak-random
$dice = mt_rand(1, 6);

function make_reset_code() {
    // ruleid: php-weak-random
    return rand(100000, 999999);
}

// ---- cookie flags --------------------------------------------------------------------------

// ruleid: php-cookie-without-secure, php-cookie-without-httponly
setcookie("session", $sid);
// ruleid: php-cookie-without-httponly
setcookie("session", $sid, time() + 3600, "/", "", true);
// ruleid: php-cookie-without-secure
setcookie("session", $sid, ['expires' => 0, 'httponly' => true]);
// ok: php-cookie-without-secure
setcookie("session", $sid, time() + 3600, "/", "", true, true);
// ok: php-cookie-without-httponly
setcookie("session", $sid, ['secure' => true, 'httponly' => true, 'samesite' => 'Lax']);

// ---- trust boundary ------------------------------------------------------------------------

// ruleid: php-trust-boundary-violation
$_SESSION['role'] = $_GET['role'];
// ok: php-trust-boundary-violation
$_SESSION['page'] = intval($_GET['page']);
if (in_array($_GET['lang'], ['en', 'de'], true)) {
    // ok: php-trust-boundary-violation
    $_SESSION['lang'] = $_GET['lang'];
}

// ---- file upload ---------------------------------------------------------------------------

// ruleid: php-unrestricted-file-upload
move_uploaded_file($_FILES['file']['tmp_name'], "uploads/" . $_FILES['file']['name']);

$ext = strtolower(pathinfo($_FILES['avatar']['name'], PATHINFO_EXTENSION));
if (in_array($ext, ['png', 'jpg'], true)) {
    // ok: php-unrestricted-file-upload
    move_uploaded_file($_FILES['avatar']['tmp_name'], "uploads/" . bin2hex(random_bytes(8)) . "." . $ext);
}
