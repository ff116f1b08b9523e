"""ASFF validation in one place: botocore's BatchImportFindings model plus the
Security Hub limits that the model does not carry (see
../shared/reference/asff-constraints.md, summarised in the constants below).

The model is checked by a validator compiled once from botocore's shapes: the
same checks as botocore's ParamValidator (types, required and unknown members,
minimum lengths and values, with its own type tables) plus the model's maximum
lengths and non-blank patterns, in one pass. ParamValidator walks the model
afresh for every value and was most of the cost of `secpipe parse`;
tests/test_asff_validation.py keeps the two in agreement.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

import botocore.session
import orjson
from botocore.model import Shape
from botocore.validate import ParamValidator

MAX_FINDING_BYTES = 240 * 1024
_NON_BLANK = re.compile(r".*\S.*", re.DOTALL)
_TIMESTAMP = re.compile(
    r"^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T(?:([01]\d|2[0-3]):[0-5]\d:[0-5]\d|23:59:60)"
    r"(?:\.\d{1,9})?(Z|[+-]\d\d(:?\d\d)?)$"
)
_TIMESTAMP_FIELDS = ("CreatedAt", "UpdatedAt", "FirstObservedAt", "LastObservedAt", "ProcessedAt")
_SEVERITY_LABELS = {"INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"}

# (path, maximum length) for strings, and (path, maximum count) for lists/maps.
STRING_LIMITS = {
    "Id": 512, "GeneratorId": 512, "ProductArn": 2048, "Title": 256, "Description": 1024,
    "Remediation.Recommendation.Text": 512, "Note.Text": 512,
}
COUNT_LIMITS = {"Types": 50, "Resources": 32, "ProductFields": 50, "UserDefinedFields": 50, "RelatedFindings": 10}
PRODUCT_FIELD_KEY_MAX = 128
PRODUCT_FIELD_VALUE_MAX = 2048
DETAILS_OTHER_PAIRS_MAX = 50
DETAILS_OTHER_KEY_MAX = 127  # "under 128"
DETAILS_OTHER_VALUE_MAX = 1023  # "under 1,024"


class AsffValidationError(ValueError):
    """A finding Security Hub would reject; `problems` lists every reason."""

    def __init__(self, finding_id: str, problems: list[str]):
        self.finding_id = finding_id
        self.problems = problems
        super().__init__(f"invalid ASFF finding {finding_id!r}: " + "; ".join(problems))


@lru_cache(maxsize=1)
def _finding_shape() -> Shape:
    model = botocore.session.get_session().get_service_model("securityhub")
    return model.operation_model("BatchImportFindings").input_shape.members["Findings"].member


@lru_cache(maxsize=1)
def _import_shape() -> Shape:
    model = botocore.session.get_session().get_service_model("securityhub")
    return model.operation_model("BatchImportFindings").input_shape


def problems(finding: dict[str, Any]) -> list[str]:
    """Every reason Security Hub would reject this finding; empty when valid."""
    found: list[str] = []
    root = _finding_node()
    if not root.ok(finding):
        root.report(finding, "", found)
        if not found:  # ok and report state the same conditions; a node where they part is a bug here
            found.append("finding: refused by the model check, which could not say why")
    try:
        found.extend(_limits(finding))
    except (AttributeError, TypeError, KeyError):
        if not found:
            raise
        # _limits reads a well-typed finding; the wrong type it tripped on is already reported.
    return found


def botocore_problems(finding: dict[str, Any]) -> list[str]:
    """The same model checks through botocore's own ParamValidator and the pattern/maximum walk.

    Slow; kept as the reference the compiled validator is tested against.
    """
    found: list[str] = []
    report = ParamValidator().validate({"Findings": [finding]}, _import_shape())
    if report.has_errors():
        found.extend(line.strip() for line in report.generate_report().splitlines() if line.strip())
    _walk(finding, _finding_shape(), "", found)
    return found


# --- the model, compiled -------------------------------------------------------------------------

_SCALAR_TYPES = ParamValidator.SCALAR_TYPES
_CONTAINER_TYPES = ParamValidator.CONTAINER_TYPES
_UNKNOWN_SIZE = float("inf")
#: Room under a limit within which encoded_size_bound is not trusted and the exact size is taken: it
#: may undercount only where orjson spells a float shorter than json.dumps (1e-5, null for Infinity).
_BOUND_SLACK = 4096
#: No limit on a string's length.
_NO_MAXIMUM = 1 << 62


def encoded_size_bound(value: Any) -> float:
    """An upper bound of len(json.dumps(value, ensure_ascii=False)) in UTF-8 bytes, from C in about 2 us.

    orjson writes the same UTF-8 and escapes as json.dumps, and its indented form only
    adds line breaks and indentation to the default separators; infinity where orjson
    cannot encode the value at all (a lone surrogate, an integer over 64 bits, a key
    that is not a str), so that the caller takes the exact size.
    """
    try:
        return len(orjson.dumps(value, option=orjson.OPT_INDENT_2))
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return _UNKNOWN_SIZE


def encoded_size(value: Any) -> int:
    """len(json.dumps(value, ensure_ascii=False)) as UTF-8 (a lone surrogate counted as its 3 bytes)."""
    text = json.dumps(value, ensure_ascii=False)
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def _type_error(path: str, value: Any, kind: str) -> str:
    return f"{path or 'finding'}: invalid type {type(value).__name__}, expected {kind}"


def _min_of(shape: Shape) -> float | None:
    """ParamValidator's range_check: the model's 'min', or 1 for host-label members."""
    if "min" in shape.metadata:
        return shape.metadata["min"]
    if getattr(shape, "serialization", {}).get("hostLabel"):
        return 1
    return None


def _encodable(text: str) -> bool:
    """False for a lone surrogate: JSON can carry one as an escape, UTF-8 cannot, so the hub could not store it."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# Each shape of the model is compiled once into a node with two methods: `ok` says
# whether a value has no problem at all, without wording anything (every finding
# takes it: no path strings, no lists, and the first problem ends it); `report`
# words every problem with its path, and runs only where `ok` said no. The two
# state the same conditions side by side in each node, and
# tests/test_asff_validation.py keeps them and botocore's ParamValidator in agreement.
# Written as small classes so that mypyc (pipeline.native) compiles them to native calls.

class _Node:
    def ok(self, value: Any) -> bool:
        raise NotImplementedError

    def report(self, value: Any, path: str, found: list[str]) -> None:
        raise NotImplementedError


class _TextNode(_Node):
    """A string shape: the model's minimum and maximum length, its non-blank pattern, its enum."""

    def __init__(self, shape: Shape):
        minimum = _min_of(shape)
        maximum = shape.metadata.get("max")
        self.minimum = int(minimum) if minimum is not None else 0
        self.maximum = int(maximum) if maximum is not None else _NO_MAXIMUM
        self.non_blank = bool(shape.metadata.get("pattern"))  # read as .*\S.* (all ASFF patterns but one), like _walk
        self.enum: frozenset[str] = frozenset(shape.enum or ())

    def text_ok(self, text: str) -> bool:
        length = len(text)
        # isspace() is the same Unicode whitespace as the regex's \S, without the regex.
        return (self.minimum <= length <= self.maximum and not (self.non_blank and (not length or text.isspace()))
                and (not self.enum or text in self.enum) and (text.isascii() or _encodable(text)))

    def ok(self, value: Any) -> bool:
        return isinstance(value, str) and self.text_ok(value)

    def report(self, value: Any, path: str, found: list[str]) -> None:
        if not isinstance(value, str):
            found.append(_type_error(path, value, "string"))
            return
        length = len(value)
        if length < self.minimum:
            found.append(f"{path}: {length} characters, fewer than {self.minimum}")
        if length > self.maximum:
            found.append(f"{path}: {length} characters, more than {self.maximum}")
        if self.non_blank and (not value or value.isspace()):
            found.append(f"{path}: empty or blank string")
        if self.enum and value not in self.enum:
            found.append(f"{path}: {value[:40]!r} is not one of {', '.join(sorted(self.enum))}")
        if not (value.isascii() or _encodable(value)):
            found.append(f"{path}: contains a lone surrogate (not encodable as UTF-8)")


class _NumberNode(_Node):
    def __init__(self, shape: Shape):
        self.kind = shape.type_name
        self.types: tuple[type, ...] = _SCALAR_TYPES[self.kind]
        minimum = _min_of(shape) if self.kind != "boolean" else None
        self.ranged = minimum is not None
        self.minimum: float = minimum if minimum is not None else 0

    def below_minimum(self, number: Any) -> bool:
        return self.ranged and number < self.minimum

    def ok(self, value: Any) -> bool:
        return isinstance(value, self.types) and not self.below_minimum(value)

    def report(self, value: Any, path: str, found: list[str]) -> None:
        if not isinstance(value, self.types):
            found.append(_type_error(path, value, self.kind))
        elif self.below_minimum(value):
            found.append(f"{path}: {value} is less than {self.minimum}")


class _ReferenceNode(_Node):
    """Document types, tagged unions, timestamps and blobs: rare in ASFF; botocore's own rules."""

    def __init__(self, shape: Shape):
        self.shape = shape

    def ok(self, value: Any) -> bool:
        return not ParamValidator().validate(value, self.shape).has_errors()

    def report(self, value: Any, path: str, found: list[str]) -> None:
        report = ParamValidator().validate(value, self.shape)
        if report.has_errors():
            found.extend(f"{path}: {line.strip()}" for line in report.generate_report().splitlines() if line.strip())


class _StructureNode(_Node):
    def __init__(self, shape: Shape):
        self.shape = shape
        self.members: dict[str, _Node] = {}  # filled by _compile, after this node is known (shapes recur)
        self.texts: dict[str, _TextNode] = {}  # the members that are string shapes, checked without a call
        self.required: tuple[str, ...] = tuple(shape.metadata.get("required", ()))
        self.required_set = frozenset(self.required)

    def ok(self, value: Any) -> bool:
        if not isinstance(value, dict):
            return False
        if self.required and not value.keys() >= self.required_set:
            return False
        members = self.members
        texts = self.texts
        for name, item in value.items():
            if type(item) is str:
                text = texts.get(name)
                if text is not None:
                    if text.text_ok(item):
                        continue
                    return False
            member = members.get(name)
            if member is None or not member.ok(item):
                return False
        return True

    def report(self, value: Any, path: str, found: list[str]) -> None:
        if not isinstance(value, dict):
            found.append(_type_error(path, value, "structure"))
            return
        for name in self.required:
            if name not in value:
                found.append(f"{path or 'finding'}: missing required member {name!r}")
        for name, item in value.items():
            member = self.members.get(name)
            if member is None:
                found.append(f"{path or 'finding'}: unknown member {name!r}")
            elif not member.ok(item):
                member.report(item, f"{path}.{name}" if path else name, found)


class _ListNode(_Node):
    def __init__(self, shape: Shape, item: _Node):
        self.item = item
        self.text = item if isinstance(item, _TextNode) else None
        minimum = _min_of(shape)
        self.minimum = int(minimum) if minimum is not None else 0

    def ok(self, value: Any) -> bool:
        if not isinstance(value, (list, tuple)) or len(value) < self.minimum:
            return False
        text = self.text
        if text is not None:
            for entry in value:
                if not (text.text_ok(entry) if type(entry) is str else text.ok(entry)):
                    return False
            return True
        item = self.item
        for entry in value:
            if not item.ok(entry):
                return False
        return True

    def report(self, value: Any, path: str, found: list[str]) -> None:
        if not isinstance(value, (list, tuple)):
            found.append(_type_error(path, value, "list"))
            return
        if len(value) < self.minimum:
            found.append(f"{path}: {len(value)} entries, fewer than {self.minimum}")
        for index, entry in enumerate(value):
            if not self.item.ok(entry):
                self.item.report(entry, f"{path}[{index}]", found)


class _MapNode(_Node):
    def __init__(self, key: _Node, value: _Node):
        self.key = key
        self.value = value
        self.key_text = key if isinstance(key, _TextNode) else None
        self.value_text = value if isinstance(value, _TextNode) else None

    def ok(self, value: Any) -> bool:
        if not isinstance(value, dict):
            return False
        key_text = self.key_text
        value_text = self.value_text
        if key_text is not None and value_text is not None:
            for key, item in value.items():
                if type(key) is str and type(item) is str:
                    if key_text.text_ok(key) and value_text.text_ok(item):
                        continue
                    return False
                if not (key_text.ok(key) and value_text.ok(item)):
                    return False
            return True
        for key, item in value.items():
            if not (self.key.ok(key) and self.value.ok(item)):
                return False
        return True

    def report(self, value: Any, path: str, found: list[str]) -> None:
        if not isinstance(value, dict):
            found.append(_type_error(path, value, "map"))
            return
        for key, item in value.items():
            if not self.key.ok(key):
                self.key.report(key, f"{path} key", found)
            if not self.value.ok(item):
                self.value.report(item, f"{path}[{key!r}]", found)


def _compile(shape: Shape, compiled: dict[str, _Node]) -> _Node:
    """One node per shape, built once; recursive shapes resolve through `compiled`."""
    known = compiled.get(shape.name)
    if known is not None:
        return known
    kind = shape.type_name
    node: _Node
    if kind == "structure" and not (shape.is_document_type or shape.is_tagged_union):
        structure = _StructureNode(shape)
        compiled[shape.name] = structure  # before its members: a structure may contain itself
        for name, member in shape.members.items():
            member_node = _compile(member, compiled)
            structure.members[name] = member_node
            if isinstance(member_node, _TextNode):
                structure.texts[name] = member_node
        return structure
    if kind == "list":
        node = _ListNode(shape, _compile(shape.member, compiled))
    elif kind == "map":
        node = _MapNode(_compile(shape.key, compiled), _compile(shape.value, compiled))
    elif kind == "string":
        node = _TextNode(shape)
    elif kind in _SCALAR_TYPES:
        node = _NumberNode(shape)
    else:
        node = _ReferenceNode(shape)
    compiled[shape.name] = node
    return node


@lru_cache(maxsize=1)
def _finding_node() -> _Node:
    return _compile(_finding_shape(), {})


def validate(finding: dict[str, Any]) -> dict[str, Any]:
    """Return the finding unchanged, or raise AsffValidationError with every problem."""
    found = problems(finding)
    if found:
        raise AsffValidationError(str(finding.get("Id", "?")), found)
    return finding


def _walk(value: Any, shape: Shape, path: str, found: list[str]) -> None:
    """Patterns, enums and string lengths from the model, which ParamValidator does not check,
    and UTF-8 encodability."""
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        for name, member in shape.members.items():
            if name in value:
                _walk(value[name], member, f"{path}.{name}" if path else name, found)
    elif kind == "list" and isinstance(value, list):
        for index, item in enumerate(value):
            _walk(item, shape.member, f"{path}[{index}]", found)
    elif kind == "map" and isinstance(value, dict):
        for key, item in value.items():
            _walk(key, shape.key, f"{path} key", found)
            _walk(item, shape.value, f"{path}[{key!r}]", found)
    elif kind == "string" and isinstance(value, str):
        pattern = shape.metadata.get("pattern")
        if pattern and not _NON_BLANK.fullmatch(value):
            found.append(f"{path}: empty or blank string")
        maximum = shape.metadata.get("max")
        if maximum is not None and len(value) > maximum:
            found.append(f"{path}: {len(value)} characters, more than {maximum}")
        if shape.enum and value not in shape.enum:
            found.append(f"{path}: {value[:40]!r} is not one of {', '.join(sorted(shape.enum))}")
        if not _encodable(value):
            found.append(f"{path}: contains a lone surrogate (not encodable as UTF-8)")


#: STRING_LIMITS and COUNT_LIMITS with their paths split once.
_STRING_LIMIT_PATHS = tuple((dotted, tuple(dotted.split(".")), limit) for dotted, limit in STRING_LIMITS.items())
_COUNT_LIMIT_PATHS = tuple((dotted, tuple(dotted.split(".")), limit) for dotted, limit in COUNT_LIMITS.items())
_ACCOUNT_ID = re.compile(r"\d{12}")
#: The only ASFF schema version there is.
SCHEMA_VERSION = "2018-10-08"
#: What Security Hub keys a finding by: no control characters (NUL included).
_IDENTIFIER_FIELDS = ("Id", "ProductArn")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: Timestamps already matched: the findings of one scan share their CreatedAt, UpdatedAt and LastObservedAt.
_known_timestamps: set[str] = set()
_KNOWN_TIMESTAMPS_MAX = 4096


def _get(finding: dict[str, Any], parts: tuple[str, ...]) -> Any:
    value: Any = finding
    for part in parts:
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _is_timestamp(value: str) -> bool:
    if type(value) is str and value in _known_timestamps:
        return True
    if not _TIMESTAMP.match(value):
        return False
    if type(value) is str and len(_known_timestamps) < _KNOWN_TIMESTAMPS_MAX:
        _known_timestamps.add(value)
    return True


def _lengths_within(pairs: dict[Any, Any], key_limit: int, value_limit: int) -> bool:
    """Every key and value is at most its limit long: the usual case, tested with map(len) in C.

    False (then the caller words the problems, one pair at a time) also where a
    length cannot be taken, so that the caller meets the same error as before.
    """
    try:
        return (max(map(len, pairs), default=0) <= key_limit
                and max(map(len, pairs.values()), default=0) <= value_limit)
    except TypeError:
        return False


def _limits(finding: dict[str, Any]) -> list[str]:
    found: list[str] = []
    top = finding if isinstance(finding, dict) else {}
    for dotted, parts, limit in _STRING_LIMIT_PATHS:
        value = top.get(dotted) if len(parts) == 1 else _get(finding, parts)
        if isinstance(value, str) and len(value) > limit:
            found.append(f"{dotted}: {len(value)} characters, more than {limit}")
    for dotted, parts, limit in _COUNT_LIMIT_PATHS:
        value = top.get(dotted) if len(parts) == 1 else _get(finding, parts)
        if value is not None and len(value) > limit:
            found.append(f"{dotted}: {len(value)} entries, more than {limit}")
    if not finding.get("Types"):
        # Required by Security Hub (asff-required-attributes), though not by the API model.
        found.append("Types: at least one type is required")
    if not finding.get("Resources"):
        found.append("Resources: at least one resource is required")
    if "SchemaVersion" in top and top["SchemaVersion"] != SCHEMA_VERSION:
        found.append(f"SchemaVersion: must be {SCHEMA_VERSION!r}")
    for name in _IDENTIFIER_FIELDS:
        value = top.get(name)
        if isinstance(value, str) and _CONTROL.search(value):
            found.append(f"{name}: contains a control character")
    account = finding.get("AwsAccountId")
    if isinstance(account, str) and not _ACCOUNT_ID.fullmatch(account):
        found.append("AwsAccountId: must be 12 digits")
    product_arn = finding.get("ProductArn")
    if isinstance(product_arn, str) and len(product_arn) < 12:
        found.append("ProductArn: shorter than 12 characters")
    for name in _TIMESTAMP_FIELDS:
        value = finding.get(name)
        if value is not None and not (isinstance(value, str) and _is_timestamp(value)):
            found.append(f"{name}: {value!r} is not an RFC 3339 timestamp with a zone")
    severity = finding.get("Severity") or {}
    if severity.get("Label") not in _SEVERITY_LABELS and "Normalized" not in severity:
        found.append("Severity: needs a Label (or Normalized)")
    product_fields = finding.get("ProductFields") or {}
    items = product_fields.items()
    if not _lengths_within(product_fields, PRODUCT_FIELD_KEY_MAX, PRODUCT_FIELD_VALUE_MAX):
        for key, value in items:
            if len(key) > PRODUCT_FIELD_KEY_MAX or len(value) > PRODUCT_FIELD_VALUE_MAX:
                found.append(f"ProductFields[{key[:40]!r}]: key over {PRODUCT_FIELD_KEY_MAX} or value over "
                             f"{PRODUCT_FIELD_VALUE_MAX} characters")
    for index, resource in enumerate(finding.get("Resources") or []):
        region = resource.get("Region")
        if isinstance(region, str) and not 1 <= len(region) <= 16:
            found.append(f"Resources[{index}].Region: length must be 1-16")
        if isinstance(resource.get("Type"), str) and len(resource["Type"]) > 256:
            found.append(f"Resources[{index}].Type: longer than 256")
        other = ((resource.get("Details") or {}).get("Other")) or {}
        if len(other) > DETAILS_OTHER_PAIRS_MAX:
            found.append(f"Resources[{index}].Details.Other: more than {DETAILS_OTHER_PAIRS_MAX} pairs")
        items = other.items()
        if not _lengths_within(other, DETAILS_OTHER_KEY_MAX, DETAILS_OTHER_VALUE_MAX):
            for key, value in items:
                if len(key) > DETAILS_OTHER_KEY_MAX or len(value) > DETAILS_OTHER_VALUE_MAX:
                    found.append(f"Resources[{index}].Details.Other[{key[:40]!r}]: key must be under "
                                 f"{DETAILS_OTHER_KEY_MAX + 1}, value under {DETAILS_OTHER_VALUE_MAX + 1}")
    for field in ("Types",):
        for item in finding.get(field) or []:
            if isinstance(item, str) and not _NON_BLANK.fullmatch(item):
                found.append(f"{field}: blank entry")
    if encoded_size_bound(finding) > MAX_FINDING_BYTES - _BOUND_SLACK:  # only then is the exact size worth taking
        size = encoded_size(finding)
        if size > MAX_FINDING_BYTES:
            found.append(f"size: {size} bytes, more than {MAX_FINDING_BYTES}")
    return found
