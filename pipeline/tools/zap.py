"""OWASP ZAP (DAST) through its API: spider, active scan, then every site's alerts.

ZAP runs as a daemon beside the build (CodeBuild); this runner drives it with
the zaproxy client. Each phase is polled against its own share of the tool's
timeout; a phase that does not finish is stopped and the run is INCOMPLETE
(never clean, never a hang). The alerts of every site ZAP saw are written as
ZAP's traditional JSON report to raw/zap.json.

Settings (ScanTarget.env over the process environment): ZAP_API_URL (default
http://127.0.0.1:8080), ZAP_API_KEY (sent as the X-ZAP-API-Key header only),
ZAP_SPIDER_TIMEOUT, ZAP_ASCAN_TIMEOUT, ZAP_PASSIVE_TIMEOUT (seconds),
ZAP_POLL_SECONDS, and SECPIPE_ALLOW_REMOTE_TARGETS=1 to scan a target that is
not on this machine (refused by default: an active scan is an attack).
"""
from __future__ import annotations

import ipaddress
import json
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from pipeline.errors import SecpipeError
from pipeline.stages import Stage
from pipeline.tools import outcome
from pipeline.tools.base import ScanTarget, ToolRun, ToolRunner, ToolStatus
from pipeline.tools.registry import register
from pipeline.tools.zap_client import DEFAULT_API_URL, ZapApiError, ZapClient, ZapUnreachable, wait_for
from pipeline.tools.zap_report import traditional_report

REPORT = "zap.json"
ALLOW_REMOTE_ENV = "SECPIPE_ALLOW_REMOTE_TARGETS"
# Shares of the tool's timeout when a phase has no timeout of its own.
SPIDER_SHARE, ASCAN_SHARE = 0.25, 0.6
PROBE_TIMEOUT_S = 5.0


def is_loopback_url(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class ZapSettings:
    api_url: str
    api_key: str | None
    allow_remote: bool
    spider_timeout_s: float | None
    ascan_timeout_s: float | None
    passive_timeout_s: float | None
    poll_s: float

    @classmethod
    def from_env(cls, settings: Mapping[str, str]) -> ZapSettings:
        def seconds(name: str) -> float | None:
            text = settings.get(name, "").strip()
            if not text:
                return None
            try:
                return float(text)
            except ValueError:
                raise SecpipeError(f"{name} must be a number of seconds, not {text!r}") from None

        return cls(api_url=(settings.get("ZAP_API_URL") or DEFAULT_API_URL).strip().rstrip("/"),
                   api_key=settings.get("ZAP_API_KEY") or None,
                   allow_remote=settings.get(ALLOW_REMOTE_ENV, "").strip() == "1",
                   spider_timeout_s=seconds("ZAP_SPIDER_TIMEOUT"), ascan_timeout_s=seconds("ZAP_ASCAN_TIMEOUT"),
                   passive_timeout_s=seconds("ZAP_PASSIVE_TIMEOUT"), poll_s=seconds("ZAP_POLL_SECONDS") or 2.0)


@register
class ZapRunner(ToolRunner):
    name = "zap"
    stage = Stage.DAST
    parser = "zap"
    install_hint = "CodeBuild only: an OWASP ZAP daemon (zap.sh -daemon) with its API at ZAP_API_URL"

    def missing(self) -> str | None:
        try:
            settings = ZapSettings.from_env(os.environ)
            ZapClient(settings.api_url, settings.api_key).version(PROBE_TIMEOUT_S)
        except ZapUnreachable as exc:
            return str(exc)
        except SecpipeError:
            return None  # it is there (or misconfigured): run() says what is wrong
        return None

    def version(self) -> str | None:
        try:
            settings = ZapSettings.from_env(os.environ)
            return ZapClient(settings.api_url, settings.api_key).version(PROBE_TIMEOUT_S)
        except SecpipeError:
            return None

    def applies(self, target: ScanTarget) -> bool:
        return target.url is not None

    def run(self, target: ScanTarget, raw_dir: Path, timeout_s: float) -> ToolRun:
        started = time.monotonic()
        if not target.url:
            return outcome.not_configured(self, "DAST needs a running application: pass --target URL")
        try:
            settings = ZapSettings.from_env({**os.environ, **target.env})
        except SecpipeError as exc:
            return outcome.error(self, str(exc))
        if urlsplit(target.url).scheme not in ("http", "https") or not urlsplit(target.url).hostname:
            return outcome.error(self, f"target {target.url!r} is not an http(s) URL")
        if not settings.allow_remote and not is_loopback_url(target.url):
            return outcome.error(self, f"refusing to attack {target.url}: not on this machine "
                                       f"(set {ALLOW_REMOTE_ENV}=1 to scan a remote target you own)")
        client = ZapClient(settings.api_url, settings.api_key)
        try:
            zap_version = client.version(PROBE_TIMEOUT_S)
        except ZapUnreachable as exc:
            return ToolRun(self.name, self.stage, ToolStatus.NOT_INSTALLED, detail=str(exc))
        except ZapApiError as exc:
            return outcome.error(self, str(exc))
        try:
            return self._scan(client, zap_version, target.url, settings, raw_dir, timeout_s, started)
        except ZapApiError as exc:
            return outcome.error(self, str(exc), duration_s=time.monotonic() - started)

    def _scan(self, client: ZapClient, zap_version: str, url: str, settings: ZapSettings, raw_dir: Path,
              timeout_s: float, started: float) -> ToolRun:
        deadline = started + timeout_s
        left = lambda: max(0.0, deadline - time.monotonic())  # noqa: E731
        unfinished: list[str] = []
        running: list[Callable[[], None]] = []  # stops for the scans started, in case ZAP errs midway
        try:
            spider_id = client.start_spider(url)
            running.append(lambda: client.stop_spider(spider_id))
            self._phase("spider", lambda: client.spider_percent(spider_id), running[-1],
                        settings.spider_timeout_s or timeout_s * SPIDER_SHARE, settings.poll_s, unfinished)
            ascan_id = client.start_active_scan(url)
            running.append(lambda: client.stop_active_scan(ascan_id))
            self._phase("active scan", lambda: client.active_scan_percent(ascan_id), running[-1],
                        settings.ascan_timeout_s or left() * ASCAN_SHARE / (1 - SPIDER_SHARE), settings.poll_s,
                        unfinished)
        except ZapApiError:
            for stop in running:
                try:
                    stop()
                except ZapApiError:
                    pass  # ZAP is failing already; the first error is the one to report
            raise
        passive_wait = settings.passive_timeout_s or max(left(), 1.0)
        if not wait_for(lambda: client.passive_records_left() == 0, passive_wait, settings.poll_s):
            unfinished.append(f"passive scan still had {client.passive_records_left()} records after {passive_wait:g}s")

        alerts_by_site = {site: client.alerts(site) for site in client.sites()}
        raw_dir.mkdir(parents=True, exist_ok=True)
        report = raw_dir / REPORT
        report.write_text(json.dumps(traditional_report(zap_version, alerts_by_site), indent=1), encoding="utf-8")
        return outcome.parsed(self, report, duration_s=time.monotonic() - started,
                              incomplete="; ".join(unfinished) or None)

    @staticmethod
    def _phase(what: str, percent: Callable[[], int], stop: Callable[[], None], timeout_s: float, poll_s: float,
               unfinished: list[str]) -> None:
        last = [0]

        def done() -> bool:
            last[0] = percent()
            return last[0] >= 100

        if not wait_for(done, timeout_s, poll_s):
            stop()  # a stuck scan keeps attacking the target after we leave unless told to stop
            unfinished.append(f"{what} stopped at {last[0]}% after {timeout_s:g}s")
