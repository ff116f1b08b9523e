"""wapiti (DAST): attack a running application, loopback only unless allowed.

Only modules that stay on the target run: ssrf and xxe make the target call
wapiti's public endpoint, nikto/wapp/buster need downloaded databases or brute
force. wapiti also tries to download its Wappalyzer database whenever it starts;
a stub in its private config dir keeps it from calling out.
"""
from __future__ import annotations

import ipaddress
import os
import re
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from pipeline.stages import Stage
from pipeline.tools import outcome
from pipeline.tools.base import ScanTarget, ToolRun
from pipeline.tools.command import ExecutableRunner
from pipeline.tools.process import run_command
from pipeline.tools.registry import register

MODULES = ("xss", "permanentxss", "sql", "exec", "file", "crlf", "redirect", "csrf",
           "http_headers", "cookieflags", "csp", "methods")
#: Set to 1 (in ScanTarget.env or the environment) to scan a host that is not loopback.
ALLOW_REMOTE_ENV = "SECPIPE_DAST_ALLOW_REMOTE"
_CONNECTION_ERROR = re.compile(r"\[!\] Connection error with URL (\S+)")
_SCAN_TIME_REACHED = "Max scan time was reached"
# Part of the budget wapiti gets for itself, so it stops and writes its report
# before the hard timeout kills it.
_SELF_STOP_SHARE = 0.8


def is_loopback_url(url: str) -> bool:
    host = (urlsplit(url).hostname or "").strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name that is not localhost could resolve anywhere


@register
class WapitiRunner(ExecutableRunner):
    name = "wapiti"
    stage = Stage.DAST
    parser = "wapiti"
    executable = "wapiti"
    install_hint = "from Debian: apt-get install -y wapiti"

    def applies(self, target: ScanTarget) -> bool:
        return bool(target.url)

    def run(self, target: ScanTarget, raw_dir: Path, timeout_s: float) -> ToolRun:
        if not target.url:
            return outcome.not_configured(self, "no DAST target URL (use --target URL)")
        scheme = urlsplit(target.url).scheme
        if scheme not in ("http", "https"):
            return outcome.error(self, f"target {target.url!r} is not an http(s) URL")
        allowed = (target.env.get(ALLOW_REMOTE_ENV) or os.environ.get(ALLOW_REMOTE_ENV, "")) == "1"
        if not is_loopback_url(target.url) and not allowed:
            return outcome.error(self, f"refusing to attack {target.url}: not a loopback address "
                                       f"(set {ALLOW_REMOTE_ENV}=1 to scan a host you are allowed to test)")
        program = self.program()
        if program is None:
            return outcome.not_installed(self)
        report = (raw_dir / "wapiti.json").resolve()
        report.unlink(missing_ok=True)
        with tempfile.TemporaryDirectory(prefix="secpipe-wapiti-") as state:
            config_dir = Path(state, "config")
            config_dir.mkdir()
            (config_dir / "apps.json").write_text("{}", encoding="utf-8")
            out_file = Path(state, "stdout.txt")
            result = run_command(
                [program, "-u", target.url, "--scope", "folder", "-m", ",".join(MODULES),
                 "--flush-session", "--max-scan-time", f"{max(5.0, timeout_s * _SELF_STOP_SHARE):.0f}",
                 "-f", "json", "-o", report, "--no-bugreport", "-v", "1",
                 "--store-session", Path(state, "session"), "--store-config", config_dir],
                timeout_s=timeout_s,
                env=self.environment(),
                stdout_path=out_file,
            )
            said = out_file.read_text(encoding="utf-8", errors="replace")
        failure = outcome.process_failure(self, result, timeout_s)
        if failure:
            return failure
        if result.returncode != 0 or not report.is_file():
            return outcome.exit_failure(self, result)
        unreachable = sorted(set(_CONNECTION_ERROR.findall(said)))
        if target.url in unreachable or target.url.rstrip("/") + "/" in unreachable:
            return outcome.error(self, f"could not connect to {target.url}", report_path=report,
                                 duration_s=result.duration_s)
        return outcome.parsed(self, report, duration_s=result.duration_s, incomplete=_incomplete(said, unreachable))


def _incomplete(said: str, unreachable: list[str]) -> str | None:
    problems = []
    if _SCAN_TIME_REACHED in said:
        problems.append("the scan reached its time limit before every page was attacked")
    if unreachable:
        problems.append(f"{len(unreachable)} URL(s) could not be fetched, e.g. {unreachable[0]}")
    return "; ".join(problems) or None
