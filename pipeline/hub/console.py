"""The review console: a findings table with filters, a detail page, workflow updates.

It reads and writes through HubApi, the same code the boto3 paths use, so what the
console shows and does is what GetFindings and BatchUpdateFindings show and do.
Every POST needs a valid CSRF token and, when the browser sends one, this server's
Origin; templates autoescape, since every finding field is attacker-controlled.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from pipeline.hub import filters
from pipeline.hub.api import HubApi
from pipeline.hub.csrf import CsrfTokens
from pipeline.hub.errors import HubApiError
from pipeline.hub.facets import FACET_FIELDS
from pipeline.hub.finding_view import safe_url, view
from pipeline.hub.redirects import console_target
from pipeline.hub.storage import SEVERITY_RANK
from pipeline.hub.web import HostGuard, Request, Response

if TYPE_CHECKING:
    from jinja2 import Environment

ASSETS = Path(__file__).resolve().parent / "console"
PAGE_SIZE = 50
SEVERITIES = tuple(sorted(SEVERITY_RANK, key=SEVERITY_RANK.__getitem__, reverse=True))
WORKFLOW_STATUSES = ("NEW", "NOTIFIED", "RESOLVED", "SUPPRESSED")
RECORD_STATES = ("ACTIVE", "ARCHIVED")
SORTABLE = {"severity": "SeverityLabel", "updated": "UpdatedAt", "title": "Title", "workflow": "WorkflowStatus"}
STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
DEFAULT_UPDATED_BY = "secpipe console"


def _first(values: list[str] | None) -> str | None:
    """The first value of a query or form parameter, None when it is absent."""
    return values[0] if values else None


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Callable[..., Response]
    changes_state: bool = False


class Console:
    def __init__(self, api: HubApi, guard: HostGuard, tokens: CsrfTokens | None = None):
        self.api = api
        self.guard = guard
        self.tokens = tokens or CsrfTokens()
        self.static = {p.name: p for p in (ASSETS / "static").iterdir() if p.suffix in STATIC_TYPES}
        self.routes = [
            Route("GET", re.compile(r"/"), lambda r: Response.redirect("/console/")),
            Route("GET", re.compile(r"/console/?"), self.list_page),
            Route("GET", re.compile(r"/console/finding/(\d+)"), self.detail_page),
            Route("POST", re.compile(r"/console/finding/(\d+)/workflow"), self.update_one, changes_state=True),
            Route("POST", re.compile(r"/console/workflow"), self.update_many, changes_state=True),
            Route("GET", re.compile(r"/console/static/([\w.-]+)"), self.static_file),
        ]

    @cached_property
    def templates(self) -> Environment:
        # jinja2 is loaded with the first page: a hub started for a publish or a scan may serve none.
        from jinja2 import Environment, FileSystemLoader

        templates = Environment(loader=FileSystemLoader(str(ASSETS / "templates")), autoescape=True)
        templates.filters["safe_url"] = safe_url
        return templates

    def handle(self, request: Request) -> Response:
        for route in self.routes:
            match = route.pattern.fullmatch(request.path)
            if match and route.method == request.method:
                if route.changes_state:
                    refusal = self._refuse_forgery(request)
                    if refusal:
                        return refusal
                try:
                    return route.handler(request, *match.groups())
                except HubApiError as error:
                    return self._page(400 if error.status < 500 else error.status, "error.html", message=error.message)
        if any(route.pattern.fullmatch(request.path) for route in self.routes):
            return Response.text(405, "Method not allowed.\n")
        return self._page(404, "error.html", message="No such page.")

    # -- pages --------------------------------------------------------------------------

    def list_page(self, request: Request) -> Response:
        params = request.query_params()
        chosen = {name: params.get(name, []) for name in ("severity", "workflow", *FACET_FIELDS)}
        record = (params.get("record") or ["ACTIVE"])[0]
        text = (params.get("q") or [""])[0].strip()
        sort = (params.get("sort") or ["severity"])[0]
        order = (params.get("order") or ["desc"])[0]
        body: dict[str, Any] = {"Filters": self._filters(chosen, record, text), "MaxResults": PAGE_SIZE,
                                "SortCriteria": self._sort(sort, order)}
        token = _first(params.get("token"))
        if token:
            body["NextToken"] = token
        result = self.api.get_findings(body)
        query = filters.build(body["Filters"], body["SortCriteria"])
        matching = self.api.store.count(query.where, query.params)
        pks = self.api.store.fetch_by_keys((f["ProductArn"], f["Id"]) for f in result["Findings"])
        rows = [(pks[(f["ProductArn"], f["Id"])].pk, view(f)) for f in result["Findings"]]
        base = {k: v for k, v in params.items() if k != "token"}
        next_link = "?" + urlencode({**base, "token": result["NextToken"]}, doseq=True) if "NextToken" in result else None
        options = {name: self.api.store.product_field_values(key) for name, key in FACET_FIELDS.items()}
        return self._page(200, "list.html", rows=rows, chosen=chosen, record=record, text=text, sort=sort,
                          order=order, options=options, matching=matching, next_link=next_link,
                          first_link="?" + urlencode(base, doseq=True) if token else None,
                          sort_link=lambda field: "?" + urlencode(
                              {**base, "sort": field, "order": "asc" if sort == field and order == "desc" else "desc"},
                              doseq=True))

    def detail_page(self, request: Request, pk: str) -> Response:
        stored = self.api.store.fetch_by_pk(int(pk))
        if stored is None:
            return self._page(404, "error.html", message="No such finding.")
        updated = _first(request.query_params().get("updated"))
        return self._page(200, "detail.html", pk=int(pk), finding=view(stored.doc),
                          notes=self.api.store.notes(int(pk)),
                          updated=updated if updated in WORKFLOW_STATUSES else None)

    def update_one(self, request: Request, pk: str) -> Response:
        self._update(request, [int(pk)])
        status = (request.form().get("status") or [""])[0]
        return Response.redirect(f"/console/finding/{int(pk)}?{urlencode({'updated': status})}")

    def update_many(self, request: Request) -> Response:
        form = request.form()
        pks = [int(p) for p in form.get("pk", []) if p.isdigit()]
        if not pks:
            return self._page(400, "error.html", message="Select at least one finding.")
        self._update(request, pks)
        # Only a path of this console may be the way back, never another site or a header.
        return Response.redirect(console_target((form.get("back") or [""])[0]))

    def static_file(self, request: Request, name: str) -> Response:
        path = self.static.get(name)
        if path is None:
            return Response.text(404, "Not found.\n")
        return Response(200, path.read_bytes(), {"Content-Type": STATIC_TYPES[path.suffix],
                                                 "X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"})

    # -- helpers ------------------------------------------------------------------------

    def _update(self, request: Request, pks: list[int]) -> None:
        form = request.form()
        status = (form.get("status") or [""])[0]
        if status not in WORKFLOW_STATUSES:
            raise HubApiError(400, "InvalidInputException", f"choose a workflow status: {', '.join(WORKFLOW_STATUSES)}")
        identifiers = []
        for pk in pks:
            stored = self.api.store.fetch_by_pk(pk)
            if stored is None:
                raise HubApiError(404, "ResourceNotFoundException", f"no finding {pk}")
            identifiers.append({"Id": stored.doc["Id"], "ProductArn": stored.doc["ProductArn"]})
        body: dict[str, Any] = {"FindingIdentifiers": identifiers, "Workflow": {"Status": status}}
        note = (form.get("note") or [""])[0].strip()
        if note:
            updated_by = (form.get("updated_by") or [""])[0].strip() or DEFAULT_UPDATED_BY
            body["Note"] = {"Text": note, "UpdatedBy": updated_by}
        for start in range(0, len(identifiers), 100):
            self.api.batch_update_findings({**body, "FindingIdentifiers": identifiers[start:start + 100]})

    def _refuse_forgery(self, request: Request) -> Response | None:
        if not self.guard.allows_origin(request.headers.get("origin")):
            return self._page(403, "error.html", message="This request came from another site and was refused.")
        if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return self._page(403, "error.html", message="Console forms must be posted as a form.")
        token = _first(request.form().get("csrf")) or request.headers.get("x-csrf-token")
        if not self.tokens.valid(token):
            return self._page(403, "error.html", message="The form's CSRF token is missing, expired or wrong; "
                                                         "reload the page and try again.")
        return None

    @staticmethod
    def _filters(chosen: dict[str, list[str]], record: str, text: str) -> dict[str, Any]:
        result: dict[str, Any] = {}
        severities = [s for s in chosen["severity"] if s in SEVERITIES]
        if severities:
            result["SeverityLabel"] = [{"Value": s, "Comparison": "EQUALS"} for s in severities]
        workflows = [w for w in chosen["workflow"] if w in WORKFLOW_STATUSES]
        if workflows:
            result["WorkflowStatus"] = [{"Value": w, "Comparison": "EQUALS"} for w in workflows]
        if record in RECORD_STATES:
            result["RecordState"] = [{"Value": record, "Comparison": "EQUALS"}]
        product_fields = [{"Key": key, "Value": value, "Comparison": "EQUALS"}
                          for name, key in FACET_FIELDS.items() for value in chosen[name] if value]
        if product_fields:
            result["ProductFields"] = product_fields
        if text:
            result["Title"] = [{"Value": text, "Comparison": "CONTAINS"}]
        return result

    @staticmethod
    def _sort(sort: str, order: str) -> list[dict[str, str]]:
        criteria = [{"Field": SORTABLE.get(sort, "SeverityLabel"), "SortOrder": "asc" if order == "asc" else "desc"}]
        if criteria[0]["Field"] != "UpdatedAt":
            criteria.append({"Field": "UpdatedAt", "SortOrder": "desc"})
        return criteria

    def _page(self, status: int, template: str, **values: Any) -> Response:
        page = self.templates.get_template(template).render(
            csrf_token=self.tokens.issue(), severities=SEVERITIES, workflow_statuses=WORKFLOW_STATUSES,
            record_states=RECORD_STATES, **values)
        return Response.html(status, page)
