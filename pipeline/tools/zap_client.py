"""The OWASP ZAP calls the DAST stage makes, through the zaproxy API client.

zaproxy's ZAPv2 sends the API key as the `X-ZAP-API-Key` header (never in a
query string) and addresses ZAP as an HTTP proxy, which is how ZAP serves its
API. Two things it lacks are added here: its requests carry no timeout, so the
reachability probe is a direct request with one; and it returns ZAP's error
code as if it were a result (`"url_not_found"` where a scan id was expected),
so results are checked and turned into `ZapApiError`.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pipeline.errors import SecpipeError
from pipeline.masking import redact_text

if TYPE_CHECKING:
    from zapv2 import ZAPv2

DEFAULT_API_URL = "http://127.0.0.1:8080"
ALERT_PAGE_SIZE = 500


class ZapApiError(SecpipeError):
    """ZAP refused a call, answered nonsense, or cannot be reached."""


class ZapUnreachable(ZapApiError):
    """Nothing answers the ZAP API at the configured address."""


def origin(url: str) -> str:
    """scheme://host:port with the default port made explicit, as ZAP names its sites."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{host}:{port}"


class ZapClient:
    def __init__(self, api_url: str = DEFAULT_API_URL, api_key: str | None = None, zap: ZAPv2 | None = None):
        # zapv2 and requests are loaded by the client, not the module: every scan loads the
        # runners before its tools start, and only a DAST run needs them.
        from zapv2 import ZAPv2

        self.api_url = api_url.rstrip("/")
        self._api_key = api_key or None
        self._zap = zap or ZAPv2(apikey=self._api_key, proxies={"http": self.api_url, "https": self.api_url},
                                 validate_status_code=True)

    # -- reachability (direct, with a timeout) --------------------------------------------
    def version(self, timeout_s: float = 5.0) -> str:
        import requests

        headers = {"X-ZAP-API-Key": self._api_key} if self._api_key else {}
        try:
            with requests.Session() as session:
                session.trust_env = False
                response = session.get(f"{self.api_url}/JSON/core/view/version/", headers=headers,
                                       timeout=timeout_s, allow_redirects=False)
        except requests.RequestException:
            raise ZapUnreachable(f"OWASP ZAP is not reachable at {self.api_url} (runs in CodeBuild)") from None
        if response.status_code in (401, 403) or b"bad_api_key" in response.content[:200]:
            raise ZapApiError(f"OWASP ZAP at {self.api_url} refused the API key (set ZAP_API_KEY)")
        try:
            return str(response.json()["version"])
        except (ValueError, KeyError, TypeError):
            raise ZapApiError(f"{self.api_url} does not answer like the ZAP API (HTTP {response.status_code})") from None

    # -- scans ------------------------------------------------------------------------------
    def start_spider(self, url: str) -> str:
        return self._scan_id("spider", self._call(lambda: self._zap.spider.scan(url=url, recurse=True)))

    def spider_percent(self, scan_id: str) -> int:
        return self._percent("spider", self._call(lambda: self._zap.spider.status(scan_id)))

    def stop_spider(self, scan_id: str) -> None:
        self._call(lambda: self._zap.spider.stop(scan_id))

    def start_active_scan(self, url: str) -> str:
        return self._scan_id("active scan", self._call(lambda: self._zap.ascan.scan(url=url, recurse=True)))

    def active_scan_percent(self, scan_id: str) -> int:
        return self._percent("active scan", self._call(lambda: self._zap.ascan.status(scan_id)))

    def stop_active_scan(self, scan_id: str) -> None:
        self._call(lambda: self._zap.ascan.stop(scan_id))

    def passive_records_left(self) -> int:
        value = self._call(lambda: self._zap.pscan.records_to_scan)
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ZapApiError(f"ZAP passive scan queue answered {value!r}") from None

    # -- results ----------------------------------------------------------------------------
    def zap_version(self) -> str:
        return str(self._call(lambda: self._zap.core.version))

    def sites(self) -> list[str]:
        sites = self._call(lambda: self._zap.core.sites)
        if not isinstance(sites, list):
            raise ZapApiError(f"ZAP core/view/sites answered {type(sites).__name__}, not a list")
        return [str(s) for s in sites]

    def alerts(self, site: str, page_size: int = ALERT_PAGE_SIZE) -> list[dict[str, Any]]:
        """Every alert of one site, all pages. ZAP's baseurl filter is a prefix match
        (http://h:80 also matches http://h:8080), so alerts are kept by exact origin."""
        wanted = origin(site)
        collected: list[dict[str, Any]] = []
        start = 0
        while True:
            def fetch_page(offset: int = start) -> Any:
                return self._zap.core.alerts(baseurl=site, start=offset, count=page_size)

            page = self._call(fetch_page)
            if not isinstance(page, list):
                raise ZapApiError(f"ZAP core/view/alerts answered {type(page).__name__}, not a list")
            collected.extend(a for a in page if isinstance(a, dict) and origin(str(a.get("url", ""))) == wanted)
            if len(page) < page_size:
                return collected
            start += page_size

    # -- plumbing ---------------------------------------------------------------------------
    def _call(self, call: Callable[[], Any]) -> Any:
        import requests

        try:
            return call()
        except requests.RequestException as exc:
            raise ZapApiError(f"OWASP ZAP at {self.api_url} stopped answering ({type(exc).__name__})") from None
        except Exception as exc:  # zapv2 raises bare Exception for HTTP errors
            raise ZapApiError(self._redact(f"OWASP ZAP API error: {str(exc).splitlines()[0][:300]}")) from None

    def _redact(self, text: str) -> str:
        return redact_text(text, [self._api_key] if self._api_key else [])

    @staticmethod
    def _scan_id(what: str, value: Any) -> str:
        text = str(value)
        if not text.isdigit():
            raise ZapApiError(f"ZAP did not start the {what}: {text}")
        return text

    @staticmethod
    def _percent(what: str, value: Any) -> int:
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ZapApiError(f"ZAP {what} status answered {value!r}") from None


def wait_for(is_done: Callable[[], bool], timeout_s: float, poll_s: float,
             sleep: Callable[[float], None] = time.sleep,
             clock: Callable[[], float] = time.monotonic) -> bool:
    """Poll is_done until it says True (-> True) or the deadline passes (-> False); never waits past it."""
    deadline = clock() + timeout_s
    while True:
        if is_done():
            return True
        remaining = deadline - clock()
        if remaining <= 0:
            return False
        sleep(min(poll_s, remaining))
