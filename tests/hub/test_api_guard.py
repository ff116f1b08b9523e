"""The hub's API lets in only what boto3 sends, and nothing a page on another origin can
forge; hostile bodies are 400, never 500; redirects never carry a header (issue 12 items 6, 8, 9)."""
from __future__ import annotations

import json

import pytest

from tests.hub.conftest import make_finding
from tests.hub.test_console_security import SIGNED, csrf_token, pk_of, post_form, request


def _import(hub, body: bytes, headers: dict[str, str]):
    return request(hub, "POST", "/findings/import", body, headers)


def _title(securityhub, ident: str) -> str:
    found = securityhub.get_findings(Filters={"Id": [{"Value": ident, "Comparison": "EQUALS"}]})["Findings"]
    return found[0]["Title"]


@pytest.mark.parametrize("headers", [
    {"Content-Type": "text/plain"},  # what a cross-origin form or fetch may send without a preflight
    {"Content-Type": "text/plain", "Authorization": SIGNED["Authorization"]},
    {"Content-Type": "application/x-www-form-urlencoded", "Authorization": SIGNED["Authorization"]},
    {"Content-Type": "application/json"},  # no Authorization
    {"Content-Type": "application/json", "Authorization": "Bearer x"},  # not SigV4-shaped
    {**SIGNED, "Origin": "http://evil.example"},
    {**SIGNED, "Origin": "null"},
])
def test_a_write_without_what_boto3_sends_is_refused(hub, securityhub, headers):
    securityhub.batch_import_findings(Findings=[make_finding("a", Title="real")])
    body = json.dumps({"Findings": [make_finding("a", Title="retitled", RecordState="ARCHIVED")]}).encode()
    status, _, _ = _import(hub, body, headers)
    assert status in (403, 415)
    assert _title(securityhub, "a") == "real"


def test_boto3_content_types_and_the_own_origin_are_served(hub, securityhub):
    for extra in ({}, {"Content-Type": "application/json; charset=utf-8"},
                  {"Content-Type": "application/x-amz-json-1.1"}, {"Origin": f"http://{hub.host}:{hub.port}"}):
        assert request(hub, "POST", "/findings", b"{}", {**SIGNED, "Host": f"{hub.host}:{hub.port}", **extra})[0] == 200


def test_a_preflight_gets_no_cors_permission(hub):
    status, headers, _ = request(hub, "OPTIONS", "/findings/import", b"", {
        "Origin": "http://evil.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type"})
    assert status >= 400
    assert not any(name.lower().startswith("access-control-") for name in headers)


@pytest.mark.parametrize("body", [b"[" * 100_000 + b"]" * 100_000,
                                  json.dumps({"Findings": []}).encode()[:-1] + b"," + b'"x": ' + b"[" * 50_000
                                  + b"]" * 50_000 + b"}",
                                  b'{"Filters": ' + b'{"a": ' * 20_000 + b"1" + b"}" * 20_000 + b"}",
                                  b"\xed\xa0\x80", b'{"Findings": [{"Id": "\\ud800"'])
def test_an_undecodable_or_deeply_nested_body_is_400(hub, body):
    for path in ("/findings/import", "/findings"):
        status, _, text = request(hub, "POST", path, body, SIGNED)
        assert status == 400, (path, status, text[:200])
        assert json.loads(text)["Code"] == "InvalidInputException"


def test_a_lone_surrogate_fails_only_its_own_finding(hub, securityhub):
    good, bad = make_finding("good"), make_finding("bad")
    text = json.dumps({"Findings": [bad, good]})
    text = text.replace(json.dumps(bad["Title"]), json.dumps(bad["Title"])[:-1] + '\\ud800"', 1)
    status, _, reply = _import(hub, text.encode(), SIGNED)
    assert status == 200, reply
    result = json.loads(reply)
    assert result["SuccessCount"] == 1 and [f["Id"] for f in result["FailedFindings"]] == ["bad"]
    assert "surrogate" in result["FailedFindings"][0]["ErrorMessage"]
    assert _title(securityhub, "good") == good["Title"]


@pytest.mark.parametrize("back", ["/console/?x=1\r\nSet-Cookie: pwn=1", "/console/\nSet-Cookie: pwn=1",
                                  "/console/%0d%0aSet-Cookie:%20pwn=1", "http://evil.example/console/",
                                  "/console/../../etc", "/console/?status=NEW&q=a b"])
def test_the_way_back_is_rebuilt_never_copied(hub, securityhub, back):
    securityhub.batch_import_findings(Findings=[make_finding("a")])
    status, headers, _ = post_form(hub, "/console/workflow", {"csrf": csrf_token(hub), "status": "SUPPRESSED",
                                                              "note": "n", "pk": str(pk_of(hub, "a")), "back": back})
    assert status == 303
    assert "Set-Cookie" not in headers and "set-cookie" not in {k.lower() for k in headers}
    location = headers["Location"]
    assert location.startswith("/console/") and not any(c in location for c in "\r\n ")
    assert "//" not in location and ".." not in location


def test_a_status_with_crlf_does_not_reach_the_location_header(hub, securityhub):
    securityhub.batch_import_findings(Findings=[make_finding("a")])
    pk = pk_of(hub, "a")
    status, headers, _ = post_form(hub, f"/console/finding/{pk}/workflow",
                                   {"csrf": csrf_token(hub), "status": "NEW\r\nSet-Cookie: pwn=1", "note": "n"})
    assert "set-cookie" not in {k.lower() for k in headers}
    assert not any("\n" in v or "\r" in v for v in headers.values())
