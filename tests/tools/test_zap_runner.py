"""zap runner and client against the ZAP API double on 127.0.0.1."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.asff import to_asff
from pipeline.finding import Severity
from pipeline.tools import zap
from pipeline.tools.base import ScanTarget, ToolStatus
from pipeline.tools.zap_client import ZapApiError, ZapClient, origin
from pipeline.tools.zap_report import traditional_report
from tests.conftest import assert_valid_asff
from tests.tools.doubles.server import serving
from tests.tools.doubles.zap import ZapHandler, ZapState, make_alert

API_KEY = "zap-key-4f1c9a7e2b"
APP = "http://127.0.0.1:5000"
OTHER = "http://localhost:5000"
TARGET = f"{APP}/"


def zap_state(**overrides) -> ZapState:
    alerts = [
        make_alert(1, f"{APP}/search?q=x", "40012", "Cross Site Scripting (Reflected)", "High", param="q"),
        make_alert(2, f"{APP}/comment?text=x", "40012", "Cross Site Scripting (Reflected)", "High", param="text"),
        make_alert(3, f"{APP}/", "10020", "Missing Anti-clickjacking Header", "Medium", cwe="1021"),
        make_alert(4, f"{APP}/about", "10021", "X-Content-Type-Options Header Missing", "Low",
                   confidence="False Positive", cwe="693"),
        make_alert(5, f"{OTHER}/login", "10010", "Cookie No HttpOnly Flag", "Low", param="session", cwe="1004"),
    ]
    state = ZapState(api_key=API_KEY, alerts=alerts, sites=[APP, OTHER])
    for key, value in overrides.items():
        setattr(state, key, value)
    return state


def env(api_url: str, **extra: str) -> dict[str, str]:
    return {"ZAP_API_URL": api_url, "ZAP_API_KEY": API_KEY, "ZAP_POLL_SECONDS": "0.01", **extra}


@pytest.fixture(autouse=True)
def no_ambient_zap(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ZAP_API_URL", "ZAP_API_KEY", zap.ALLOW_REMOTE_ENV):
        monkeypatch.delenv(name, raising=False)


def test_spider_then_active_scan_then_alerts_of_every_site(tmp_path: Path, context):
    state = zap_state()
    with serving(ZapHandler, state) as api:
        run = zap.ZapRunner().run(ScanTarget(tmp_path, url=TARGET, env=env(api)), tmp_path / "raw", timeout_s=60)

    assert run.status is ToolStatus.FINDINGS, run.detail
    assert state.spider_url == TARGET and state.ascan_url == TARGET
    paths = state.paths()
    # the spider finishes (3 polls at +40%) before the active scan starts; alerts are read last
    assert paths.index("/JSON/spider/action/scan/") < paths.index("/JSON/ascan/action/scan/")
    assert paths.count("/JSON/spider/view/status/") == 3 and paths.count("/JSON/ascan/view/status/") == 2
    assert paths.index("/JSON/ascan/view/status/") < paths.index("/JSON/core/view/alerts/")
    assert state.stopped == []
    # every request carried the key as a header, none in a query string
    assert all(headers.get("X-ZAP-API-Key") == API_KEY for _, _, headers in state.requests)
    assert all(API_KEY not in json.dumps(query) for _, query, _ in state.requests)
    # one finding per alert type per site: XSS (2 instances) + clickjacking on APP, cookie on OTHER;
    # the false positive is left out
    by_title = {f.title: f for f in run.findings}
    assert sorted(by_title) == ["Cookie No HttpOnly Flag", "Cross Site Scripting (Reflected)",
                                "Missing Anti-clickjacking Header"]
    xss = by_title["Cross Site Scripting (Reflected)"]
    assert xss.severity is Severity.HIGH
    assert sorted((w.url, w.parameter) for w in xss.web_locations) == [
        (f"{APP}/comment?text=x", "text"), (f"{APP}/search?q=x", "q")]
    assert by_title["Cookie No HttpOnly Flag"].web_locations[0].url == f"{OTHER}/login"
    report = json.loads((tmp_path / "raw" / zap.REPORT).read_text())
    assert [site["@name"] for site in report["site"]] == [APP, OTHER]
    assert API_KEY not in (tmp_path / "raw" / zap.REPORT).read_text() + run.detail
    assert_valid_asff([to_asff(f, context) for f in run.findings])


def test_a_scan_that_never_finishes_is_stopped_and_incomplete(tmp_path: Path):
    state = zap_state(ascan_step=0)
    with serving(ZapHandler, state) as api:
        run = zap.ZapRunner().run(ScanTarget(tmp_path, url=TARGET, env=env(api, ZAP_ASCAN_TIMEOUT="0.3")),
                                  tmp_path / "raw", timeout_s=60)
    assert run.status is ToolStatus.INCOMPLETE
    assert run.detail == "active scan stopped at 0% after 0.3s"
    assert state.stopped == ["ascan"]
    assert len(run.findings) == 3  # what was found before the deadline still counts


def test_passive_queue_that_never_drains_is_incomplete(tmp_path: Path):
    with serving(ZapHandler, zap_state(passive_queue=[7])) as api:
        run = zap.ZapRunner().run(ScanTarget(tmp_path, url=TARGET, env=env(api, ZAP_PASSIVE_TIMEOUT="0.2")),
                                  tmp_path / "raw", timeout_s=60)
    assert run.status is ToolStatus.INCOMPLETE
    assert run.detail == "passive scan still had 7 records after 0.2s"


def test_unreachable_zap_is_not_installed(tmp_path: Path):
    run = zap.ZapRunner().run(ScanTarget(tmp_path, url=TARGET, env=env("http://127.0.0.1:9")), tmp_path, 10)
    assert run.status is ToolStatus.NOT_INSTALLED
    assert run.detail == "OWASP ZAP is not reachable at http://127.0.0.1:9 (runs in CodeBuild)"


def test_no_target_is_not_configured(tmp_path: Path):
    run = zap.ZapRunner().run(ScanTarget(tmp_path), tmp_path, 10)
    assert run.status is ToolStatus.NOT_CONFIGURED and "--target" in run.detail
    assert not zap.ZapRunner().applies(ScanTarget(tmp_path))


def test_wrong_api_key_is_an_error_that_does_not_echo_it(tmp_path: Path):
    with serving(ZapHandler, zap_state()) as api:
        run = zap.ZapRunner().run(ScanTarget(tmp_path, url=TARGET, env={**env(api), "ZAP_API_KEY": "not-the-key-99"}),
                                  tmp_path, 10)
    assert run.status is ToolStatus.ERROR and "refused the API key" in run.detail
    assert "not-the-key-99" not in run.detail


def test_remote_targets_are_refused_unless_allowed(tmp_path: Path):
    state = zap_state()
    with serving(ZapHandler, state) as api:
        refused = zap.ZapRunner().run(ScanTarget(tmp_path, url="http://example.com/", env=env(api)), tmp_path, 10)
        assert state.requests == []  # refused before ZAP was asked anything
        allowed = zap.ZapRunner().run(
            ScanTarget(tmp_path, url="http://example.com/", env=env(api, SECPIPE_ALLOW_REMOTE_TARGETS="1")),
            tmp_path / "raw", 60)
    assert refused.status is ToolStatus.ERROR and "SECPIPE_ALLOW_REMOTE_TARGETS=1" in refused.detail
    assert allowed.status is ToolStatus.FINDINGS and state.spider_url == "http://example.com/"


@pytest.mark.parametrize("url, loopback", [("http://127.0.0.1:8000/", True), ("http://127.8.9.1/", True),
                                           ("http://[::1]:80/", True), ("http://localhost/", True),
                                           ("http://10.0.0.5/", False), ("https://example.com/", False),
                                           ("http://127.0.0.1.nip.io/", False)])
def test_loopback_detection(url: str, loopback: bool):
    assert zap.is_loopback_url(url) is loopback


def test_alerts_are_paged_and_kept_by_exact_origin():
    # ZAP's baseurl filter is a prefix: http://127.0.0.1:50 also matches http://127.0.0.1:5000
    state = zap_state(sites=["http://127.0.0.1:50", APP],
                      alerts=zap_state().alerts + [make_alert(9, "http://127.0.0.1:50/x", "10202", "Absence of Anti-CSRF Tokens", "Medium")])
    with serving(ZapHandler, state) as api:
        client = ZapClient(api, API_KEY)
        short = client.alerts("http://127.0.0.1:50", page_size=2)
        app = client.alerts(APP, page_size=2)
    assert [a["id"] for a in short] == ["9"]
    assert [a["id"] for a in app] == ["1", "2", "3", "4"]
    starts = [q.get("start") for path, q, _ in state.requests if path == "/JSON/core/view/alerts/"]
    assert starts.count(["0"]) == 2 and ["4"] in starts  # several pages were asked for


def test_client_turns_zap_error_codes_into_errors():
    with serving(ZapHandler, zap_state()) as api:
        with pytest.raises(ZapApiError, match="bad_api_key"):
            ZapClient(api, "wrong").sites()


def test_traditional_report_groups_and_codes_alerts():
    report = traditional_report("2.15.0", {APP: zap_state().alerts[:4]})
    items = report["site"][0]["alerts"]
    assert [(i["pluginid"], i["riskcode"], i["confidence"], i["count"]) for i in items] == [
        ("40012", "3", "2", "2"), ("10020", "2", "2", "1")]
    assert items[0]["desc"] == "<p>Cross Site Scripting (Reflected): what it is.</p><p>Why it matters.</p>"
    assert report["site"][0]["@port"] == "5000" and report["site"][0]["@ssl"] == "false"
    assert origin("https://Example.com/a") == "https://example.com:443"


def test_missing_and_version_probe_the_configured_api(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ZAP_API_URL", "http://127.0.0.1:9")
    assert zap.ZapRunner().missing() == "OWASP ZAP is not reachable at http://127.0.0.1:9 (runs in CodeBuild)"
    assert zap.ZapRunner().version() is None
    with serving(ZapHandler, zap_state()) as api:
        monkeypatch.setenv("ZAP_API_URL", api)
        monkeypatch.setenv("ZAP_API_KEY", API_KEY)
        assert zap.ZapRunner().missing() is None
        assert zap.ZapRunner().version() == "2.15.0"


def test_zap_failing_midway_is_an_error_and_started_scans_are_stopped(tmp_path: Path):
    state = zap_state()

    class FailingAscanStatus(ZapHandler):
        def _routes(self):
            routes = super()._routes()
            routes["/JSON/ascan/view/status/"] = lambda q: {"status": "does_not_exist"}
            return routes

    with serving(FailingAscanStatus, state) as api:
        run = zap.ZapRunner().run(ScanTarget(tmp_path, url=TARGET, env=env(api)), tmp_path / "raw", timeout_s=60)
    assert run.status is ToolStatus.ERROR
    assert run.detail == "ZAP active scan status answered 'does_not_exist'"
    assert state.stopped == ["spider", "ascan"]
    assert not (tmp_path / "raw" / zap.REPORT).exists()
