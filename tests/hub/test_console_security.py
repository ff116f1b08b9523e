"""The console and API refuse rebound Host names, forged forms, and render hostile finding text inert."""
from __future__ import annotations

import http.client
import re
from urllib.parse import urlencode

import pytest

from tests.hub.conftest import PRODUCT_ARN, client_for, make_finding

#: What boto3 sends with every API call; the hub requires both (the signature is not checked).
SIGNED = {"Content-Type": "application/json", "Authorization": "AWS4-HMAC-SHA256 Credential=x, Signature=0"}


def request(hub, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None):
    connection = http.client.HTTPConnection(hub.host, hub.port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def csrf_token(hub) -> str:
    _, _, page = request(hub, "GET", "/console/")
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def pk_of(hub, ident: str) -> int:
    return hub.store.fetch_by_keys([(PRODUCT_ARN, ident)])[(PRODUCT_ARN, ident)].pk


def post_form(hub, path: str, fields: dict[str, str], extra_headers: dict[str, str] | None = None):
    headers = {"Content-Type": "application/x-www-form-urlencoded", **(extra_headers or {})}
    return request(hub, "POST", path, urlencode(fields).encode(), headers)


@pytest.fixture
def one(securityhub, hub):
    securityhub.batch_import_findings(Findings=[make_finding("a")])
    return pk_of(hub, "a")


@pytest.mark.parametrize("path,method", [("/console/", "GET"), ("/findings", "POST"), ("/findings/import", "POST")])
@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1:1", "localhost.evil.example:{port}"])
def test_foreign_host_header_is_refused(hub, path, method, host):
    status, _, _ = request(hub, method, path, b"{}", {"Host": host.format(port=hub.port)})
    assert status == 421


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}"])
def test_own_names_are_served(hub, host):
    status, _, _ = request(hub, "GET", "/console/", headers={"Host": host.format(port=hub.port)})
    assert status == 200


def test_workflow_post_without_or_with_a_wrong_csrf_token_is_refused(hub, one, securityhub):
    path = f"/console/finding/{one}/workflow"
    for fields in ({"status": "SUPPRESSED"}, {"status": "SUPPRESSED", "csrf": "1700000000.deadbeef"},
                   {"status": "SUPPRESSED", "csrf": ""}):
        status, _, _ = post_form(hub, path, fields)
        assert status == 403
    status, _, _ = post_form(hub, "/console/workflow", {"status": "SUPPRESSED", "pk": str(one)})
    assert status == 403
    assert securityhub.get_findings()["Findings"][0]["Workflow"]["Status"] == "NEW"


def test_token_from_another_server_is_refused(tmp_path, hub, one):
    from pipeline.hub import start_local_hub

    with start_local_hub(tmp_path / "other.sqlite3") as other:
        client_for(other).batch_import_findings(Findings=[make_finding("a")])
        foreign = csrf_token(other)
    status, _, _ = post_form(hub, f"/console/finding/{one}/workflow", {"status": "RESOLVED", "csrf": foreign})
    assert status == 403


def test_cross_origin_post_is_refused_even_with_a_token(hub, one):
    status, _, _ = post_form(hub, f"/console/finding/{one}/workflow",
                             {"status": "RESOLVED", "csrf": csrf_token(hub)}, {"Origin": "http://evil.example"})
    assert status == 403


def test_valid_form_updates_the_finding_and_keeps_the_note(hub, one, securityhub):
    status, headers, _ = post_form(hub, f"/console/finding/{one}/workflow", {
        "status": "RESOLVED", "note": "fixed in 1.2.3", "updated_by": "carol", "csrf": csrf_token(hub)},
        {"Origin": f"http://127.0.0.1:{hub.port}"})
    assert status == 303 and headers["Location"] == f"/console/finding/{one}?updated=RESOLVED"
    finding = securityhub.get_findings()["Findings"][0]
    assert finding["Workflow"]["Status"] == "RESOLVED"
    assert finding["Note"] == {"Text": "fixed in 1.2.3", "UpdatedBy": "carol", "UpdatedAt": finding["Note"]["UpdatedAt"]}
    _, _, page = request(hub, "GET", f"/console/finding/{one}")
    assert "fixed in 1.2.3" in page and "carol" in page


def test_bulk_update_from_the_table(hub, securityhub):
    securityhub.batch_import_findings(Findings=[make_finding("a"), make_finding("b"), make_finding("c")])
    body = urlencode([("status", "SUPPRESSED"), ("note", "test code"), ("csrf", csrf_token(hub)),
                      ("pk", str(pk_of(hub, "a"))), ("pk", str(pk_of(hub, "c"))), ("back", "//evil.example/")])
    status, headers, _ = request(hub, "POST", "/console/workflow", body.encode(),
                                 {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 303 and headers["Location"] == "/console/"  # never redirects off the console
    statuses = {f["Id"]: f["Workflow"]["Status"] for f in securityhub.get_findings()["Findings"]}
    assert statuses == {"a": "SUPPRESSED", "b": "NEW", "c": "SUPPRESSED"}


def test_api_paths_need_no_csrf_token_but_a_sigv4_header(hub):
    assert request(hub, "POST", "/findings", b"{}", SIGNED)[0] == 200
    assert request(hub, "POST", "/findings", b"{}", {"Content-Type": "application/json"})[0] == 403


def test_hostile_finding_text_is_escaped_and_bad_links_dropped(hub, securityhub):
    payload = '<script>alert(1)</script><img src=x onerror=alert(2)>'
    securityhub.batch_import_findings(Findings=[make_finding(
        "x", Title=payload, Description=payload,
        Remediation={"Recommendation": {"Text": payload, "Url": "javascript:alert(3)"}},
        SourceUrl="javascript:alert(4)",
        ProductFields={"secpipe/tool": payload, "secpipe/repo": "demo", "secpipe/branch": "main"},
        Resources=[{"Type": "Other", "Id": payload, "Details": {"Other": {"url": payload, "path": payload}}}])])
    for path in ("/console/", f"/console/finding/{pk_of(hub, 'x')}", f"/console/?tool={payload}"):
        status, headers, page = request(hub, "GET", path.replace(" ", "%20").replace("<", "%3C").replace(">", "%3E"))
        assert status == 200
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert 'href="javascript:' not in page  # only in the escaped raw JSON, never as a link
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY"


def test_unknown_pages_and_methods(hub, one):
    assert request(hub, "GET", "/console/finding/99999")[0] == 404
    assert request(hub, "GET", "/nope")[0] == 404
    assert request(hub, "GET", f"/console/finding/{one}/workflow")[0] == 405
    assert request(hub, "GET", "/console/static/../storage.py")[0] == 404
    status, headers, body = request(hub, "GET", "/console/static/console.css")
    assert status == 200 and headers["Content-Type"].startswith("text/css") and ".sev-critical" in body


def test_bad_content_length_is_refused_and_the_server_keeps_serving(hub):
    import socket

    with socket.create_connection((hub.host, hub.port), timeout=10) as raw:
        raw.sendall(f"POST /findings HTTP/1.1\r\nHost: 127.0.0.1:{hub.port}\r\nContent-Length: lots\r\n\r\n".encode())
        assert raw.recv(200).startswith(b"HTTP/1.1 413")
    assert request(hub, "POST", "/findings", b"{}", SIGNED)[0] == 200
