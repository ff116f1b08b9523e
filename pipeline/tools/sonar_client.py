"""A small client for the four SonarQube Web API calls the pipeline needs.

Why our own and not python-sonarqube-api (2.0.5): that library has no
`api/hotspots/search` and no `api/ce/task`, and its error path indexes
`res.json()["errors"]`, which fails with an unrelated JSONDecodeError when a
proxy answers with HTML. Four GET calls with one auth header, one timeout
and clean errors are less code than working around it.

Rules kept here: the token travels only in the Authorization header (never in
a URL), query strings are built by `requests` from a dict (so a branch such as
`feat/a&b` or a comma list of types arrives intact — the reference pipeline
concatenated an unquoted URL and lost its filters), and every page is fetched
until `paging.total` is reached.
"""
from __future__ import annotations

import base64
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pipeline.errors import SecpipeError

if TYPE_CHECKING:
    import requests

# SonarQube's issue index (Elasticsearch) refuses p*ps beyond 10 000 results.
SEARCH_WINDOW = 10_000
MAX_PAGE_SIZE = 500
DEFAULT_ISSUE_TYPES = ("VULNERABILITY", "BUG", "CODE_SMELL")
TASK_DONE = {"SUCCESS"}
TASK_FAILED = {"FAILED", "CANCELED"}


class SonarApiError(SecpipeError):
    """SonarQube answered with an error, or not at all."""


class SonarTimeout(SonarApiError):
    """The background analysis task did not finish in time."""


@dataclass
class PagedResult:
    """All items of a paged search, the page documents as received, and whether nothing was cut off."""

    items: list[dict[str, Any]] = field(default_factory=list)
    pages: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0
    complete: bool = True


def basic_token_header(token: str) -> str:
    """SonarQube takes a user token as the Basic-auth login with an empty password (all versions)."""
    return "Basic " + base64.b64encode(f"{token}:".encode()).decode("ascii")


class SonarClient:
    def __init__(self, host_url: str, token: str, request_timeout_s: float = 30.0,
                 session: requests.Session | None = None):
        # requests is loaded by the client, not the module: every scan loads the runners before
        # its tools start, and only a configured SonarQube needs it.
        import requests

        self.host_url = host_url.rstrip("/")
        self._session = session or requests.Session()
        self._session.trust_env = False  # no ~/.netrc credentials or proxy surprises
        self._session.headers["Authorization"] = basic_token_header(token)
        self._session.headers["Accept"] = "application/json"
        self._timeout = request_timeout_s

    def get(self, path: str, params: dict[str, str | int] | None = None) -> dict[str, Any]:
        import requests

        url = f"{self.host_url}/{path.lstrip('/')}"
        try:
            response = self._session.get(url, params=params, timeout=self._timeout, allow_redirects=False)
        except requests.RequestException as exc:
            raise SonarApiError(f"SonarQube at {self.host_url} is not reachable ({type(exc).__name__})") from None
        if response.status_code in (401, 403):
            raise SonarApiError(f"SonarQube refused the token for {path} (HTTP {response.status_code})")
        if response.status_code >= 300:
            raise SonarApiError(f"SonarQube {path} answered HTTP {response.status_code}: {_error_text(response)}")
        try:
            doc = response.json()
        except ValueError:
            raise SonarApiError(f"SonarQube {path} did not answer with JSON") from None
        if not isinstance(doc, dict):
            raise SonarApiError(f"SonarQube {path} answered with a JSON {type(doc).__name__}, not an object")
        return doc

    # -- compute engine ----------------------------------------------------------------------
    def task(self, task_id: str) -> dict[str, Any]:
        task = self.get("api/ce/task", {"id": task_id}).get("task")
        if not isinstance(task, dict):
            raise SonarApiError(f"SonarQube api/ce/task has no task {task_id!r}")
        return task

    def wait_for_task(self, task_id: str, timeout_s: float, poll_s: float = 2.0,
                      sleep: Callable[[float], None] = time.sleep,
                      clock: Callable[[], float] = time.monotonic) -> dict[str, Any]:
        """The finished task; SonarTimeout when still queued at the deadline, SonarApiError when it failed."""
        deadline = clock() + timeout_s
        while True:
            task = self.task(task_id)
            status = str(task.get("status", ""))
            if status in TASK_DONE:
                return task
            if status in TASK_FAILED:
                message = task.get("errorMessage") or "no reason given"
                raise SonarApiError(f"SonarQube analysis task {task_id} ended {status}: {message}")
            if clock() >= deadline:
                raise SonarTimeout(f"SonarQube analysis task {task_id} still {status or 'unknown'} after {timeout_s:g}s")
            sleep(poll_s)

    # -- searches ----------------------------------------------------------------------------
    def issues(self, project_key: str, types: Iterable[str] = DEFAULT_ISSUE_TYPES,
               branch: str | None = None, page_size: int = MAX_PAGE_SIZE) -> PagedResult:
        params: dict[str, str | int] = {"componentKeys": project_key, "types": ",".join(types),
                                        "resolved": "false"}
        if branch:
            params["branch"] = branch
        return self._all_pages("api/issues/search", params, "issues", page_size)

    def hotspots(self, project_key: str, branch: str | None = None,
                 page_size: int = MAX_PAGE_SIZE) -> PagedResult:
        params: dict[str, str | int] = {"projectKey": project_key, "status": "TO_REVIEW"}
        if branch:
            params["branch"] = branch
        return self._all_pages("api/hotspots/search", params, "hotspots", page_size)

    def quality_gate(self, analysis_id: str | None = None, project_key: str | None = None,
                     branch: str | None = None) -> dict[str, Any]:
        if analysis_id:
            params: dict[str, str | int] = {"analysisId": analysis_id}
        elif project_key:
            params = {"projectKey": project_key, **({"branch": branch} if branch else {})}
        else:
            raise ValueError("quality_gate needs an analysis id or a project key")
        status = self.get("api/qualitygates/project_status", params).get("projectStatus")
        if not isinstance(status, dict):
            raise SonarApiError("SonarQube api/qualitygates/project_status has no projectStatus")
        return status

    def _all_pages(self, path: str, params: dict[str, str | int], key: str, page_size: int) -> PagedResult:
        page_size = max(1, min(page_size, MAX_PAGE_SIZE))
        result = PagedResult()
        page = 1
        while True:
            doc = self.get(path, {**params, "p": page, "ps": page_size})
            items = doc.get(key)
            if not isinstance(items, list):
                raise SonarApiError(f"SonarQube {path} page {page} has no {key!r} list")
            result.pages.append(doc)
            result.items.extend(items)
            result.total = _total(doc, len(result.items))
            if not items or len(result.items) >= result.total:
                break
            if (page + 1) * page_size > SEARCH_WINDOW:
                # The server cannot page past its search window: say so instead of pretending.
                result.complete = False
                break
            page += 1
        return result


def _total(doc: dict[str, Any], fallback: int) -> int:
    paging = doc.get("paging")
    if isinstance(paging, dict) and isinstance(paging.get("total"), int):
        return paging["total"]
    if isinstance(doc.get("total"), int):  # issues/search before paging{} existed
        return doc["total"]
    return fallback


def _error_text(response: requests.Response) -> str:
    try:
        errors = response.json().get("errors")
        return "; ".join(str(e.get("msg")) for e in errors if isinstance(e, dict)) or "no message"
    except (ValueError, AttributeError, TypeError):
        return (response.text or "no message").strip().splitlines()[0][:200] if response.text.strip() else "no message"
