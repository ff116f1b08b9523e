"""PHP cases: plain scripts reading the superglobals."""
from __future__ import annotations

from benchmarks.detection_casegen.model import Flow, Language, Renderer, Sink, SnippetClass, Source, TaintClass

SOURCES = (
    Source("get", "", "", "$_GET['q']"),
    Source("post", "", "", "$_POST['q']"),
    Source("request", "", "", "$_REQUEST['q']"),
    Source("cookie", "", "", "$_COOKIE['q']"),
    Source("server-header", "", "", "$_SERVER['HTTP_X_Q']"),
    Source("raw-body", "", "", "file_get_contents('php://input')"),
)

TRUE_FLOWS = (
    Flow("direct", (), "SRC"),
    Flow("variable", ("$value = SRC;",), "$value"),
    Flow("two-steps", ("$first = SRC;", "$value = trim($first);"), "$value"),
    Flow("interpolation", ("$raw = SRC;", '$value = "{$raw}";'), "$value"),
    Flow("sprintf", ("$value = sprintf('%s', SRC);",), "$value"),
    Flow("append-steps", ("$value = '';", "$value .= SRC;"), "$value"),
    Flow("array-push", ("$items = [];", "$items[] = SRC;"), "$items[0]"),
    Flow("assoc-array", ("$data = ['key' => SRC];",), "$data['key']"),
    Flow("helper", (), "passthrough(SRC)", module="function passthrough($text) {\n    return trim($text);\n}\n"),
    Flow("array-push-fn", ("$items = array();", "array_push($items, SRC);"), "$items[0]"),
)

#: Flows that keep the value an array/object (string building would make a NoSQL query value safe).
OBJECT_FLOWS = tuple(f for f in TRUE_FLOWS if f.name in {'variable', 'array-push', 'array-push-fn', 'direct', 'assoc-array'})

FALSE_FLOWS = (
    Flow("overwritten", ("$value = SRC;", "$value = 'fixed';"), "$value"),
    Flow("dead-branch", ("$value = 'fixed';", "if (false) {", "    $value = SRC;", "}"), "$value"),
    Flow("safe-array-element", ("$items = array('fixed', SRC);",), "$items[0]"),
    Flow("safe-assoc-value", ("$data = ['safe' => 'fixed', 'user' => SRC];",), "$data['safe']"),
    Flow("unused", ("$unused = SRC;",), "'fixed'"),
)

MYSQL = "$conn = mysqli_connect('db', 'app', getenv('DB_PASSWORD'), 'shop');\n"
PDO = "$pdo = new PDO('mysql:host=db;dbname=shop', 'app', getenv('DB_PASSWORD'));\n"
MONGO = "$users = (new MongoDB\\Client('mongodb://db'))->app->users;\n"
XPATH = "$doc = new DOMDocument();\n$doc->load('users.xml');\n$xpath = new DOMXPath($doc);\n"
LDAP = "$ldap = ldap_connect('ldap://127.0.0.1');\n"
TWIG = "$twig = new \\Twig\\Environment(new \\Twig\\Loader\\ArrayLoader([]));\n"

TAINT = (
    TaintClass("sqli", 89, (
        Sink("mysqli-query", ("mysqli_query($conn, \"SELECT * FROM users WHERE name = '\" . VALUE . \"'\");",), MYSQL),
        Sink("pdo-query", ("$sql = \"SELECT * FROM users WHERE id = \" . VALUE;", "$pdo->query($sql);"), PDO),
        Sink("pdo-exec", ("$pdo->exec(\"DELETE FROM carts WHERE id = '\" . VALUE . \"'\");",), PDO),
    ), sanitised=(
        Flow("prepared", ("$stmt = $conn->prepare('SELECT * FROM users WHERE name = ?');",
                          "$name = SRC;", "$stmt->bind_param('s', $name);", "$stmt->execute();"), ""),
        Flow("intval", ("mysqli_query($conn, 'SELECT * FROM users WHERE id = ' . intval(SRC));",), ""),
        Flow("int-cast", ("$id = (int) SRC;", "mysqli_query($conn, \"SELECT * FROM users WHERE id = $id\");"), ""),
    )),
    TaintClass("command-injection", 78, (
        Sink("system", ("system('ping -c 1 ' . VALUE);",)),
        Sink("shell-exec", ("echo shell_exec('nslookup ' . VALUE);",)),
        Sink("exec", ("exec('host ' . VALUE, $output);",)),
        Sink("passthru", ("passthru('dig ' . VALUE);",)),
    ), sanitised=(
        Flow("escapeshellarg", ("system('ping -c 1 ' . escapeshellarg(SRC));",), ""),
        Flow("allow-list", ("$host = SRC;", "if (in_array($host, ['localhost', 'example.com'], true)) {",
                            "    system('ping -c 1 ' . $host);", "}"), ""),
    )),
    TaintClass("path-traversal", 22, (
        Sink("include", ("include('pages/' . VALUE . '.php');",)),
        Sink("file-get-contents", ("echo htmlspecialchars(file_get_contents('/var/docs/' . VALUE));",)),
        Sink("fopen", ("$handle = fopen('/var/docs/' . VALUE, 'r');",)),
        Sink("readfile", ("readfile('/var/docs/' . VALUE);",)),
        Sink("require-once", ("require_once('modules/' . VALUE);",)),
    ), sanitised=(
        Flow("basename", ("readfile('/var/docs/' . basename(SRC));",), ""),
        Flow("realpath-prefix", ("$path = realpath('/var/docs/' . SRC);", "if (strpos($path, '/var/docs/') !== 0) {",
                                 "    die('no');", "}", "readfile($path);"), ""),
        Flow("allow-list", ("$page = SRC;", "if (in_array($page, ['home', 'about'], true)) {",
                            "    include('pages/' . $page . '.php');", "}"), ""),
    )),
    TaintClass("ssrf", 918, (
        Sink("curl-init", ("$ch = curl_init(VALUE);", "curl_exec($ch);"),),
        Sink("curl-setopt", ("$ch = curl_init();", "curl_setopt($ch, CURLOPT_URL, VALUE);", "curl_exec($ch);")),
        Sink("file-get-contents-url", ("$body = file_get_contents(VALUE);",)),
        Sink("get-headers", ("$headers = get_headers(VALUE);",)),
    ), sanitised=(
        Flow("allow-list", ("$url = SRC;", "if (in_array($url, ['https://api.example.com/a', 'https://api.example.com/b'], true)) {",
                            "    $ch = curl_init($url);", "    curl_exec($ch);", "}"), ""),
        Flow("fixed-host", ("$ch = curl_init('https://api.example.com/items/' . rawurlencode(SRC));", "curl_exec($ch);"), ""),
    )),
    TaintClass("open-redirect", 601, (
        Sink("header-location", ("header('Location: ' . VALUE);", "exit;")),
        Sink("header-location-interpolated", ("$to = VALUE;", 'header("Location: $to");')),
    ), sanitised=(
        Flow("allow-list", ("$next = SRC;", "if (in_array($next, ['/home', '/account'], true)) {",
                            "    header('Location: ' . $next);", "}"), ""),
        Flow("fixed", ("$unused = SRC;", "header('Location: /home');"), ""),
    )),
    TaintClass("xss", 79, (
        Sink("echo", ("echo '<p>' . VALUE . '</p>';",)),
        Sink("print", ("print('<h1>' . VALUE . '</h1>');",)),
        Sink("printf", ("printf('<b>%s</b>', VALUE);",)),
    ), sanitised=(
        Flow("htmlspecialchars", ("echo '<p>' . htmlspecialchars(SRC, ENT_QUOTES, 'UTF-8') . '</p>';",), ""),
        Flow("intval", ("echo '<p>' . intval(SRC) . '</p>';",), ""),
        Flow("htmlentities", ("echo htmlentities(SRC);",), ""),
    )),
    TaintClass("nosqli", 943, flows=OBJECT_FLOWS, sinks=(
        Sink("find-one", ("$user = $users->findOne(['name' => VALUE]);",), MONGO),
        Sink("find-where", ("$cursor = $users->find(['$where' => \"this.name == '\" . VALUE . \"'\"]);",), MONGO),
    ), sanitised=(
        Flow("string-cast", ("$user = $users->findOne(['name' => (string) SRC]);",), ""),
        Flow("strval", ("$user = $users->findOne(['name' => strval(SRC)]);",), ""),
    )),
    TaintClass("code-injection", 95, (
        Sink("eval", ("eval('$result = ' . VALUE . ';');",)),
        Sink("assert", ("assert(VALUE);",)),
        Sink("create-function", ("$f = create_function('$x', VALUE);",)),
        Sink("call-user-func", ("call_user_func(VALUE);",)),
    ), sanitised=(
        Flow("intval", ("eval('$result = ' . intval(SRC) . ' * 2;');",), ""),
        Flow("allow-list", ("$fn = SRC;", "if (in_array($fn, ['strtoupper', 'strtolower'], true)) {",
                            "    call_user_func($fn, 'x');", "}"), ""),
    )),
    TaintClass("template-injection", 1336, (
        Sink("twig-create-template", ("echo $twig->createTemplate('Hello ' . VALUE)->render([]);",), TWIG),
        Sink("twig-array-loader", ("$loader = new \\Twig\\Loader\\ArrayLoader(['page' => 'Hi ' . VALUE]);",)),
    ), sanitised=(
        Flow("twig-variable", ("echo $twig->createTemplate('Hello {{ name }}')->render(['name' => SRC]);",), ""),
        Flow("twig-render", ("echo $twig->render('page.html', ['name' => SRC]);",), ""),
    )),
    TaintClass("xpath-injection", 643, (
        Sink("domxpath-query", ("$nodes = $xpath->query(\"//user[@name='\" . VALUE . \"']\");",), XPATH),
        Sink("domxpath-evaluate", ("$count = $xpath->evaluate(\"count(//user[@role='\" . VALUE . \"'])\");",), XPATH),
        Sink("simplexml-xpath", ("$xml = simplexml_load_file('users.xml');", "$found = $xml->xpath(\"//user[@id='\" . VALUE . \"']\");")),
    ), sanitised=(
        Flow("intval", ("$nodes = $xpath->query('//user[@id=' . intval(SRC) . ']');",), ""),
        Flow("allow-list", ("$role = SRC;", "if (in_array($role, ['admin', 'user'], true)) {",
                            "    $nodes = $xpath->query(\"//user[@role='$role']\");", "}"), ""),
    )),
    TaintClass("ldap-injection", 90, (
        Sink("ldap-search", ("$r = ldap_search($ldap, 'dc=example,dc=com', '(uid=' . VALUE . ')');",), LDAP),
        Sink("ldap-list", ("$r = ldap_list($ldap, 'ou=people,dc=example,dc=com', \"(cn=\" . VALUE . \")\");",), LDAP),
    ), sanitised=(
        Flow("ldap-escape", ("$r = ldap_search($ldap, 'dc=example,dc=com', '(uid=' . ldap_escape(SRC, '', LDAP_ESCAPE_FILTER) . ')');",), ""),
        Flow("intval", ("$r = ldap_search($ldap, 'dc=example,dc=com', '(uidNumber=' . intval(SRC) . ')');",), ""),
    )),
    TaintClass("deserialization", 502, (
        Sink("unserialize", ("$prefs = unserialize(VALUE);",)),
        Sink("unserialize-base64", ("$prefs = unserialize(base64_decode(VALUE));",)),
    ), sanitised=(
        Flow("json-decode", ("$prefs = json_decode(SRC, true);",), ""),
        Flow("allowed-classes-false", ("$prefs = unserialize(SRC, ['allowed_classes' => false]);",), ""),
    )),
    TaintClass("trust-boundary", 501, (
        Sink("session", ("$_SESSION['role'] = VALUE;",)),
        Sink("session-user", ("$_SESSION['user'] = ['name' => VALUE];",)),
    ), sanitised=(
        Flow("intval", ("$_SESSION['page'] = intval(SRC);",), ""),
        Flow("allow-list", ("$lang = SRC;", "if (in_array($lang, ['en', 'de'], true)) {", "    $_SESSION['lang'] = $lang;", "}"), ""),
    )),
)

SNIPPETS = (
    SnippetClass("xxe", 611, true=tuple(
        (name, f"$xml = file_get_contents('php://input');\n{code}\n") for name, code in (
            ("loadxml-noent", "$doc = new DOMDocument();\n$doc->loadXML($xml, LIBXML_NOENT);"),
            ("loadxml-dtdload", "$doc = new DOMDocument();\n$doc->loadXML($xml, LIBXML_DTDLOAD);"),
            ("loadxml-both", "$doc = new DOMDocument();\n$doc->loadXML($xml, LIBXML_NOENT | LIBXML_DTDLOAD);"),
            ("simplexml-noent", "$sx = simplexml_load_string($xml, 'SimpleXMLElement', LIBXML_NOENT);"),
            ("simplexml-dtdload", "$sx = simplexml_load_string($xml, 'SimpleXMLElement', LIBXML_DTDLOAD);"),
            ("entity-loader-enabled", "libxml_disable_entity_loader(false);\n$doc = new DOMDocument();\n$doc->loadXML($xml);"),
            ("substitute-entities", "$doc = new DOMDocument();\n$doc->substituteEntities = true;\n$doc->loadXML($xml);"),
            ("load-file-noent", "$doc = new DOMDocument();\n$doc->load('upload.xml', LIBXML_NOENT);"),
            ("simplexml-element-noent", "$sx = new SimpleXMLElement($xml, LIBXML_NOENT);"),
            ("xmlreader-subst", "$reader = new XMLReader();\n$reader->XML($xml);\n$reader->setParserProperty(XMLReader::SUBST_ENTITIES, true);"),
            ("simplexml-file-noent", "$sx = simplexml_load_file('upload.xml', 'SimpleXMLElement', LIBXML_NOENT);"),
        )), false=tuple(
        (name, f"$xml = file_get_contents('php://input');\n{code}\n") for name, code in (
            ("loadxml-default", "$doc = new DOMDocument();\n$doc->loadXML($xml);"),
            ("loadxml-nonet", "$doc = new DOMDocument();\n$doc->loadXML($xml, LIBXML_NONET);"),
            ("simplexml-default", "$sx = simplexml_load_string($xml);"),
            ("simplexml-nonet", "$sx = simplexml_load_string($xml, 'SimpleXMLElement', LIBXML_NONET);"),
            ("entity-loader-disabled", "libxml_disable_entity_loader(true);\n$doc = new DOMDocument();\n$doc->loadXML($xml);"),
            ("json", "$data = json_decode($xml, true);"),
            ("substitute-off", "$doc = new DOMDocument();\n$doc->substituteEntities = false;\n$doc->loadXML($xml);"),
            ("xmlreader-default", "$reader = new XMLReader();\n$reader->XML($xml);"),
            ("simplexml-element", "$sx = new SimpleXMLElement($xml);"),
            ("load-file", "$doc = new DOMDocument();\n$doc->load('config.xml');"),
        ))),
    SnippetClass("weak-hash", 328, true=(
        ("md5-password", "$hash = md5($password);"),
        ("sha1-post-password", "$stored = sha1($_POST['password']);"),
        ("md5-salted-password", "$digest = md5($salt . $_POST['pwd']);"),
        ("hash-md5-password", "$h = hash('md5', $password);"),
        ("hash-sha1-password", "$h = hash('sha1', $user_password);"),
        ("password-var-md5", "$password_hash = md5($input);"),
        ("register-sha1", "function register($user, $pw) {\n    return sha1($pw . $user);\n}"),
        ("login-md5", "function login_check($input, $stored) {\n    return md5($input) === $stored;\n}"),
        ("md5-md5-password", "$hashed = md5(md5($password));"),
        ("pwd-hash-sha1", "$pwd_digest = sha1($new);"),
        ("secret-md5", "$token = md5($secret);"),
    ), false=(
        ("password-hash", "$hash = password_hash($password, PASSWORD_DEFAULT);"),
        ("password-verify", "$ok = password_verify($password, $stored);"),
        ("md5-etag", "$etag = md5($fileContents);"),
        ("sha1-cache-key", "$cacheKey = sha1($url);"),
        ("sha256-password", "$h = hash('sha256', $password);"),
        ("md5-file-checksum", "$checksum = md5_file($path);"),
        ("argon2", "$hash = password_hash($password, PASSWORD_ARGON2ID);"),
        ("sha512-hmac", "$mac = hash_hmac('sha512', $body, $key);"),
        ("md5-asset-version", "$version = substr(md5($css), 0, 8);"),
        ("crc32", "$id = crc32($name);"),
    )),
    SnippetClass("weak-random", 338, true=(
        ("token-md5-uniqid", "$token = md5(uniqid(mt_rand(), true));"),
        ("reset-rand", "$reset_code = rand(100000, 999999);"),
        ("session-mt-rand", "$session_id = mt_rand();"),
        ("password-str-shuffle", "$password = substr(str_shuffle('abcdefghjkmnpqrstuvwxyz23456789'), 0, 10);"),
        ("csrf-uniqid", "$csrf = uniqid();"),
        ("api-key-rand", "$api_key = sha1(rand());"),
        ("otp-mt-rand", "$otp = mt_rand(0, 999999);"),
        ("salt-lcg", "$salt = lcg_value();"),
        ("function-token", "function generate_token() {\n    return dechex(mt_rand()) . dechex(mt_rand());\n}"),
        ("invite-uniqid", "$invite_code = uniqid('inv', true);"),
        ("nonce-rand", "$nonce = rand();"),
    ), false=(
        ("random-bytes", "$token = bin2hex(random_bytes(32));"),
        ("random-int", "$otp = random_int(0, 999999);"),
        ("dice", "$dice = mt_rand(1, 6);"),
        ("shuffle-list", "$order = range(1, 10);\nshuffle($order);"),
        ("banner", "$banner = rand(1, 3);"),
        ("openssl", "$key = bin2hex(openssl_random_pseudo_bytes(32));"),
        ("uniqid-filename", "$filename = uniqid() . '.log';"),
        ("array-rand-quote", "$quote = $quotes[array_rand($quotes)];"),
        ("random-int-session", "$session_id = bin2hex(random_bytes(16));"),
        ("sample", "$sample = mt_rand(0, 100) < 10;"),
    )),
    SnippetClass("cookie-flags", 614, true=(
        ("no-flags", "setcookie('session', $sid);"),
        ("expiry-only", "setcookie('session', $sid, time() + 3600);"),
        ("path-domain", "setcookie('session', $sid, time() + 3600, '/', 'example.com');"),
        ("secure-false", "setcookie('session', $sid, time() + 3600, '/', '', false, true);"),
        ("httponly-false", "setcookie('session', $sid, time() + 3600, '/', '', true, false);"),
        ("no-httponly", "setcookie('session', $sid, time() + 3600, '/', '', true);"),
        ("options-no-secure", "setcookie('session', $sid, ['expires' => 0, 'httponly' => true]);"),
        ("options-no-httponly", "setcookie('session', $sid, ['expires' => 0, 'secure' => true]);"),
        ("ini-secure-off", "ini_set('session.cookie_secure', '0');"),
        ("ini-httponly-off", "ini_set('session.cookie_httponly', 0);"),
        ("path-only", "setcookie('remember', '1', time() + 86400, '/');"),
    ), false=(
        ("both-positional", "setcookie('session', $sid, time() + 3600, '/', '', true, true);"),
        ("both-options", "setcookie('session', $sid, ['expires' => 0, 'secure' => true, 'httponly' => true]);"),
        ("both-options-samesite", "setcookie('session', $sid, ['secure' => true, 'httponly' => true, 'samesite' => 'Strict']);"),
        ("read-cookie", "$theme = $_COOKIE['theme'] ?? 'light';"),
        ("delete-cookie", "unset($_COOKIE['session']);"),
        ("header-only", "header('Cache-Control: no-store');"),
        ("session-start", "session_start();"),
        ("both-expiry", "setcookie('remember', '1', time() + 86400, '/', 'example.com', true, true);"),
        ("raw-both", "setrawcookie('token', $t, 0, '/', '', true, true);"),
        ("both-options-path", "setcookie('pref', 'dark', ['path' => '/', 'secure' => true, 'httponly' => true]);"),
    )),
    SnippetClass("file-upload", 434, true=(
        ("name-as-is", "move_uploaded_file($_FILES['file']['tmp_name'], 'uploads/' . $_FILES['file']['name']);"),
        ("basename", "$target = 'uploads/' . basename($_FILES['file']['name']);\nmove_uploaded_file($_FILES['file']['tmp_name'], $target);"),
        ("size-check-only", "if ($_FILES['file']['size'] < 1000000) {\n    move_uploaded_file($_FILES['file']['tmp_name'], 'uploads/' . $_FILES['file']['name']);\n}"),
        ("error-check-only", "if ($_FILES['avatar']['error'] === UPLOAD_ERR_OK) {\n    move_uploaded_file($_FILES['avatar']['tmp_name'], 'avatars/' . $_FILES['avatar']['name']);\n}"),
        ("client-type-trusted", "$type = $_FILES['file']['type'];\nmove_uploaded_file($_FILES['file']['tmp_name'], 'uploads/upload.' . substr($type, 6));"),
        ("loop", "foreach ($_FILES['docs']['tmp_name'] as $i => $tmp) {\n    move_uploaded_file($tmp, 'docs/' . $_FILES['docs']['name'][$i]);\n}"),
        ("keeps-extension", "$ext = pathinfo($_FILES['file']['name'], PATHINFO_EXTENSION);\nmove_uploaded_file($_FILES['file']['tmp_name'], 'uploads/' . uniqid() . '.' . $ext);"),
        ("function", "function store($file) {\n    return move_uploaded_file($file['tmp_name'], __DIR__ . '/uploads/' . $file['name']);\n}"),
        ("copy-name", "$name = $_POST['name'];\nmove_uploaded_file($_FILES['f']['tmp_name'], \"files/$name\");"),
        ("is-uploaded-only", "if (is_uploaded_file($_FILES['f']['tmp_name'])) {\n    move_uploaded_file($_FILES['f']['tmp_name'], 'files/' . $_FILES['f']['name']);\n}"),
    ), false=(
        ("ext-allow-list", "$ext = strtolower(pathinfo($_FILES['file']['name'], PATHINFO_EXTENSION));\nif (in_array($ext, ['png', 'jpg'], true)) {\n    move_uploaded_file($_FILES['file']['tmp_name'], 'uploads/' . bin2hex(random_bytes(8)) . '.' . $ext);\n}"),
        ("ext-refused-leaves", "$ext = strtolower(pathinfo($_FILES['file']['name'], PATHINFO_EXTENSION));\nif (!in_array($ext, ['png', 'jpg'], true)) {\n    die('no');\n}\nmove_uploaded_file($_FILES['file']['tmp_name'], 'uploads/' . bin2hex(random_bytes(8)) . '.' . $ext);"),
        ("getimagesize", "if (getimagesize($_FILES['img']['tmp_name']) !== false) {\n    move_uploaded_file($_FILES['img']['tmp_name'], 'img/' . bin2hex(random_bytes(8)) . '.png');\n}"),
        ("finfo", "$finfo = finfo_open(FILEINFO_MIME_TYPE);\nif (finfo_file($finfo, $_FILES['f']['tmp_name']) === 'application/pdf') {\n    move_uploaded_file($_FILES['f']['tmp_name'], 'pdf/' . bin2hex(random_bytes(8)) . '.pdf');\n}"),
        ("preg-match", "if (preg_match('/^[a-z0-9_-]+\\.(png|jpg)$/', $_FILES['f']['name'])) {\n    move_uploaded_file($_FILES['f']['tmp_name'], 'img/' . $_FILES['f']['name']);\n}"),
        ("preg-refused-leaves", "if (!preg_match('/\\.(png|jpg)$/i', $_FILES['f']['name'])) {\n    exit;\n}\nmove_uploaded_file($_FILES['f']['tmp_name'], 'img/' . bin2hex(random_bytes(8)));"),
        ("exif-imagetype", "if (exif_imagetype($_FILES['img']['tmp_name']) === IMAGETYPE_PNG) {\n    move_uploaded_file($_FILES['img']['tmp_name'], 'img/' . uniqid() . '.png');\n}"),
        ("read-only", "$content = file_get_contents($_FILES['csv']['tmp_name']);\n$rows = str_getcsv($content);"),
        ("size-of-upload", "$size = $_FILES['file']['size'];\necho intval($size);"),
        ("mime-allow-list", "$mime = mime_content_type($_FILES['f']['tmp_name']);\nif (in_array($mime, ['image/png', 'image/jpeg'], true)) {\n    move_uploaded_file($_FILES['f']['tmp_name'], 'img/' . uniqid());\n}"),
    )),
    SnippetClass("hardcoded-secrets", 798, true=(
        ("mysqli-connect", "$conn = mysqli_connect('db', 'app', 'app-password-123', 'shop');"),
        ("pdo", "$pdo = new PDO('mysql:host=db;dbname=shop', 'root', 'Sup3rS3cret!');"),
        ("api-key-var", "$api_key = 'sk_live_51HqLyjWDarjtT1zdp7dc';"),
        ("define-password", "define('DB_PASSWORD', 'Tr0ub4dor&3');"),
        ("config-array", "$config = ['db_password' => 'hunter2hunter2', 'host' => 'db'];"),
        ("const-secret", "class Settings {\n    const CLIENT_SECRET = '9f8e7d6c5b4a3928170665';\n}"),
        ("new-mysqli", "$db = new mysqli('db', 'app', 'P@ssw0rd2024', 'shop');"),
        ("token-var", "$github_token = 'ghp_16C7e42F292c6912E7710c838347Ae178B4a';"),
        ("define-secret-key", "define('AUTH_SECRET_KEY', 'a8f5f167f44f4964e6c998dee827110c');"),
        ("array-legacy", "$settings = array('smtp_password' => 'mailP4ssw0rd!', 'port' => 587);"),
        ("pg-connect", "$pg = pg_connect('host=db dbname=app user=app password=pgS3cret99');"),
    ), false=(
        ("mysqli-getenv", "$conn = mysqli_connect('db', 'app', getenv('DB_PASSWORD'), 'shop');"),
        ("env-var", "$api_key = getenv('API_KEY');"),
        ("field-name", "$password_field = 'password_hash';"),
        ("empty", "$db_password = '';"),
        ("placeholder", "$api_token = '<your-token-here>';"),
        ("template", "$secret = '${APP_SECRET}';"),
        ("server-env", "$secret = $_ENV['APP_SECRET'];"),
        ("define-name", "define('PASSWORD_MIN_LENGTH', 12);"),
        ("config-env", "$config = ['db_password' => getenv('DB_PASSWORD'), 'host' => 'db'];"),
        ("header-name", "$token_header = 'Authorization';"),
    )),
)

PHP = Language("php", ".php", "", SOURCES, TRUE_FLOWS, FALSE_FLOWS,
               Renderer(prologue="<?php\n// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv)."),
               TAINT, SNIPPETS)
