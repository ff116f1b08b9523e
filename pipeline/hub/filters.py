"""GetFindings Filters and SortCriteria -> one SQL WHERE clause and ORDER BY.

Semantics as AWS documents them: filters on different fields are AND'ed; on one
field (for a map filter: one key) the positive comparisons (EQUALS, PREFIX,
CONTAINS) are OR'ed and the negative ones (NOT_EQUALS, PREFIX_NOT_EQUALS,
NOT_CONTAINS) are AND'ed, and both groups must hold. Values are case sensitive.
Every value reaches SQLite as a bound parameter; only fixed column names from the
tables below are written into the SQL text.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pipeline.hub.errors import invalid_input
from pipeline.hub.schema import id_hash
from pipeline.hub.timestamps import now_microseconds, to_microseconds

Clause = tuple[str, list[Any]]

# Comparison -> (is negative, SQL test of `{col}` against one value).
_TESTS: dict[str, Callable[[str, str], Clause]] = {
    "EQUALS": lambda col, v: (f"{col} = ?", [v]),
    "PREFIX": lambda col, v: (f"substr({col}, 1, ?) = ?", [len(v), v]),
    "CONTAINS": lambda col, v: (f"instr({col}, ?) > 0", [v]),
}
NEGATIONS = {"NOT_EQUALS": "EQUALS", "PREFIX_NOT_EQUALS": "PREFIX", "NOT_CONTAINS": "CONTAINS"}
MAP_COMPARISONS = ("EQUALS", "NOT_EQUALS", "CONTAINS", "NOT_CONTAINS")


@dataclass(frozen=True)
class ScalarField:
    """A string field with its own column on the findings table."""

    column: str

    def test(self, comparison: str, value: str) -> Clause:
        return _TESTS[comparison](f"f.{self.column}", value)


@dataclass(frozen=True)
class ResourceField:
    """A string on any of the finding's resources: true when one resource matches. The
    resources column holds one [Type, Id] pair per resource; `position` picks the string."""

    position: int

    def test(self, comparison: str, value: str) -> Clause:
        sql, params = _TESTS[comparison](f"(resource.value ->> {self.position})", value)
        return f"EXISTS (SELECT 1 FROM json_each(f.resources) AS resource WHERE {sql})", params


@dataclass(frozen=True)
class IdField(ScalarField):
    """The Id: an EQUALS test names its hash too, so SQLite finds it through the id_hash index."""

    def test(self, comparison: str, value: str) -> Clause:
        sql, params = super().test(comparison, value)
        if comparison != "EQUALS":
            return sql, params
        return f"(f.id_hash = ? AND {sql})", [id_hash(value), *params]


STRING_FIELDS: dict[str, ScalarField | ResourceField] = {
    "Id": IdField("id"),
    "GeneratorId": ScalarField("generator_id"),
    "ProductArn": ScalarField("product_arn"),
    "AwsAccountId": ScalarField("aws_account_id"),
    "Title": ScalarField("title"),
    "SeverityLabel": ScalarField("severity_label"),
    "RecordState": ScalarField("record_state"),
    "WorkflowStatus": ScalarField("workflow_status"),
    "ComplianceStatus": ScalarField("compliance_status"),
    "ResourceType": ResourceField(0),
    "ResourceId": ResourceField(1),
}
MAP_FIELDS = {"ProductFields": "product_fields"}
DATE_FIELDS = {"UpdatedAt": "updated_at_us", "CreatedAt": "created_at_us"}
# Sort fields -> column. SeverityLabel sorts by rank (CRITICAL above HIGH), not alphabetically.
SORT_FIELDS = {
    "Id": "id", "GeneratorId": "generator_id", "ProductArn": "product_arn", "AwsAccountId": "aws_account_id",
    "Title": "title", "SeverityLabel": "severity_rank", "SeverityNormalized": "severity_rank",
    "RecordState": "record_state", "WorkflowStatus": "workflow_status", "ComplianceStatus": "compliance_status",
    "UpdatedAt": "updated_at_us", "CreatedAt": "created_at_us",
}
DEFAULT_SORT = (("updated_at_us", "desc"),)
_DAY_US = 86_400 * 1_000_000


@dataclass
class Query:
    where: str
    params: list[Any]
    sort: list[tuple[str, str]] = field(default_factory=list)  # (column, asc|desc); pk is the tiebreak

    @property
    def sort_columns(self) -> list[str]:
        return [column for column, _ in self.sort]

    @property
    def order_by(self) -> str:
        return ", ".join([f"{c} {d.upper()}" for c, d in self.sort] + [f"pk {self._pk_direction.upper()}"])

    @property
    def _pk_direction(self) -> str:
        return self.sort[-1][1] if self.sort else "asc"

    def after(self, values: list[Any], pk: int) -> Clause:
        """Rows strictly after (values, pk) in this order: keyset paging, stable while findings change."""
        keys = [*self.sort, ("pk", self._pk_direction)]
        bound = [*values, pk]
        directions = {direction for _, direction in keys}
        if len(directions) == 1:
            # One direction: a row-value comparison, which SQLite answers with a range of the sort
            # index, so each page reads its own rows only (the OR below made it read from the top).
            columns = ", ".join(column for column, _ in keys)
            return f"(({columns}) {'>' if directions == {'asc'} else '<'} ({', '.join('?' * len(keys))}))", bound
        alternatives: list[str] = []
        params: list[Any] = []
        for depth, (column, direction) in enumerate(keys):
            equal = [f"{c} = ?" for c, _ in keys[:depth]]
            beyond = f"{column} {'>' if direction == 'asc' else '<'} ?"
            alternatives.append("(" + " AND ".join([*equal, beyond]) + ")")
            params.extend([*bound[:depth], bound[depth]])
        return "(" + " OR ".join(alternatives) + ")", params


def build(filters: dict[str, Any], sort_criteria: list[dict[str, Any]]) -> Query:
    clauses: list[str] = []
    params: list[Any] = []
    for name, entries in filters.items():
        if not entries:
            continue
        if name in STRING_FIELDS:
            clause = _string_clause(name, STRING_FIELDS[name], entries)
        elif name in MAP_FIELDS:
            clause = _map_clause(name, MAP_FIELDS[name], entries)
        elif name in DATE_FIELDS:
            clause = _date_clause(name, DATE_FIELDS[name], entries)
        else:
            raise invalid_input(f"the local hub does not support the filter {name!r}")
        clauses.append(clause[0])
        params.extend(clause[1])
    return Query(" AND ".join(clauses) or "1", params, _sort(sort_criteria))


def _combine(positives: list[Clause], negatives: list[Clause]) -> Clause:
    parts: list[str] = []
    params: list[Any] = []
    if positives:
        parts.append("(" + " OR ".join(sql for sql, _ in positives) + ")")
        params.extend(p for _, ps in positives for p in ps)
    for sql, ps in negatives:
        parts.append(f"NOT ({sql})")
        params.extend(ps)
    return "(" + " AND ".join(parts) + ")", params


def _split(name: str, comparison: Any, allowed: tuple[str, ...]) -> tuple[bool, str]:
    if comparison not in allowed:
        raise invalid_input(f"{name}: comparison {comparison!r} is not supported; use one of {', '.join(allowed)}")
    return comparison in NEGATIONS, NEGATIONS.get(comparison, comparison)


def _string_clause(name: str, target: ScalarField | ResourceField, entries: list[dict[str, Any]]) -> Clause:
    positives: list[Clause] = []
    negatives: list[Clause] = []
    for entry in entries:
        negative, test = _split(name, entry.get("Comparison"), (*_TESTS, *NEGATIONS))
        value = entry.get("Value")
        if not isinstance(value, str) or not value:
            raise invalid_input(f"{name}: every filter needs a non-empty Value")
        (negatives if negative else positives).append(target.test(test, value))
    return _combine(positives, negatives)


def _map_clause(name: str, column: str, entries: list[dict[str, Any]]) -> Clause:
    by_key: dict[str, tuple[list[Clause], list[Clause]]] = {}
    for entry in entries:
        negative, test = _split(name, entry.get("Comparison"), MAP_COMPARISONS)
        key, value = entry.get("Key"), entry.get("Value")
        if not isinstance(key, str) or not key or not isinstance(value, str) or not value:
            raise invalid_input(f"{name}: every map filter needs a non-empty Key and Value")
        sql, params = _TESTS[test]("entry.value", value)
        clause = (f"EXISTS (SELECT 1 FROM json_each(f.{column}) AS entry WHERE entry.key = ? AND {sql})",
                  [key, *params])
        positives, negatives = by_key.setdefault(key, ([], []))
        (negatives if negative else positives).append(clause)
    combined = [_combine(p, n) for p, n in by_key.values()]
    return "(" + " AND ".join(sql for sql, _ in combined) + ")", [p for _, ps in combined for p in ps]


def _date_clause(name: str, column: str, entries: list[dict[str, Any]]) -> Clause:
    alternatives: list[Clause] = []
    for entry in entries:
        bounds: list[str] = []
        params: list[Any] = []
        try:
            if "Start" in entry:
                bounds.append(f"f.{column} >= ?")
                params.append(to_microseconds(entry["Start"]))
            if "End" in entry:
                bounds.append(f"f.{column} <= ?")
                params.append(to_microseconds(entry["End"]))
        except (TypeError, ValueError) as exc:
            raise invalid_input(f"{name}: {exc}") from None
        if "DateRange" in entry:
            window = entry["DateRange"]
            if window.get("Unit") != "DAYS" or not isinstance(window.get("Value"), int) or window["Value"] < 0:
                raise invalid_input(f"{name}: DateRange needs a Value >= 0 and Unit DAYS")
            # WITHIN (the default): the last Value days; OLDER_THAN: before them.
            comparison = window.get("Comparison", "WITHIN")
            bounds.append(f"f.{column} {'>=' if comparison == 'WITHIN' else '<'} ?")
            params.append(now_microseconds() - window["Value"] * _DAY_US)
        if not bounds:
            raise invalid_input(f"{name}: a date filter needs Start, End or DateRange")
        alternatives.append(("(" + " AND ".join(bounds) + ")", params))
    return _combine(alternatives, [])


def _sort(criteria: list[dict[str, Any]]) -> list[tuple[str, str]]:
    if not criteria:
        return list(DEFAULT_SORT)
    sort: list[tuple[str, str]] = []
    for criterion in criteria:
        field_name = criterion.get("Field")
        if field_name not in SORT_FIELDS:
            raise invalid_input(f"SortCriteria: cannot sort on {field_name!r}; use one of {', '.join(SORT_FIELDS)}")
        order = criterion.get("SortOrder", "asc")
        if order not in ("asc", "desc"):
            raise invalid_input("SortCriteria: SortOrder must be asc or desc")
        sort.append((SORT_FIELDS[field_name], order))
    return sort
