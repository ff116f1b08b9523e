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
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import botocore.session
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
    size_bound = _compiled_finding_check()(finding, "", found)
    try:
        found.extend(_limits(finding, size_bound))
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

#: A check appends problems to the list and returns an upper bound of the value's
#: size as UTF-8 JSON (json.dumps' default separators), or infinity where it cannot
#: tell, so that the 240 KB check needs no serialisation for the usual finding.
Check = Callable[[Any, str, list], float]
_SCALAR_TYPES = ParamValidator.SCALAR_TYPES
_CONTAINER_TYPES = ParamValidator.CONTAINER_TYPES
_UNKNOWN_SIZE = float("inf")
#: JSON-escaped control characters take 6 bytes (\u00XX), more than any UTF-8 character.
_BYTES_PER_CHARACTER = 6
#: float repr is at most 24 characters ('-2.2250738585072014e-308'); 'Infinity' is 8.
_FLOAT_BYTES = 24


@lru_cache(maxsize=1)
def _compiled_finding_check() -> Check:
    return _compile(_finding_shape(), {})


def _type_error(path: str, value: Any, kind: str) -> str:
    return f"{path or 'finding'}: invalid type {type(value).__name__}, expected {kind}"


def _min_of(shape: Shape) -> float | None:
    """ParamValidator's range_check: the model's 'min', or 1 for host-label members."""
    if "min" in shape.metadata:
        return shape.metadata["min"]
    if getattr(shape, "serialization", {}).get("hostLabel"):
        return 1
    return None


def _compile(shape: Shape, compiled: dict[str, Check]) -> Check:
    """One closure per shape, built once; recursive shapes resolve through `compiled`."""
    if shape.name in compiled:
        return compiled[shape.name]
    kind = shape.type_name
    if kind == "structure" and (shape.is_document_type or shape.is_tagged_union):
        check = _reference_check(shape)
    elif kind == "structure":
        # A structure that contains itself finds this forwarder while it is compiled.
        compiled[shape.name] = lambda value, path, found: compiled[shape.name](value, path, found)
        check = _structure_check(shape, compiled)
    elif kind == "list":
        check = _list_check(shape, compiled)
    elif kind == "map":
        check = _map_check(shape, compiled)
    elif kind == "string":
        check = _string_check(shape)
    elif kind in _SCALAR_TYPES:
        check = _number_check(shape)
    else:  # timestamps, blobs: rare in ASFF; botocore's own rules
        check = _reference_check(shape)
    compiled[shape.name] = check
    return check


def _reference_check(shape: Shape) -> Check:
    def check(value: Any, path: str, found: list) -> float:
        report = ParamValidator().validate(value, shape)
        if report.has_errors():
            found.extend(f"{path}: {line.strip()}" for line in report.generate_report().splitlines() if line.strip())
        return _UNKNOWN_SIZE
    return check


#: A string shape's (minimum, maximum, non-blank) with no None, for the inlined fast path.
StringBounds = tuple[float, float, bool]


def _string_bounds(shape: Shape) -> StringBounds | None:
    """What _string_check checks, for checking a str inline without a call; None for other shapes."""
    if shape.type_name != "string" or shape.enum:
        return None  # an enum's values are checked by _string_check only
    minimum = _min_of(shape)
    maximum = shape.metadata.get("max")
    return (minimum if minimum is not None else 0, maximum if maximum is not None else _UNKNOWN_SIZE,
            bool(shape.metadata.get("pattern")))


# The container checks below test a str member, item, key or value inline (about
# two thirds of a finding's values) and call the full check, which words the
# problems, only for a value that is not a str or fails a bound. The inline test
# is the exact negation of _string_check's three conditions, so both paths find
# the same problems; the size bound is the same too.

def _structure_check(shape: Shape, compiled: dict[str, Check]) -> Check:
    members = {name: _compile(member, compiled) for name, member in shape.members.items()}
    strings = {name: bounds for name, member in shape.members.items() if (bounds := _string_bounds(member))}
    required = tuple(shape.metadata.get("required", ()))
    required_set = frozenset(required)
    types = _CONTAINER_TYPES["structure"]

    def check(value: Any, path: str, found: list) -> float:
        if not isinstance(value, types):
            found.append(_type_error(path, value, "structure"))
            return _UNKNOWN_SIZE
        if required and not value.keys() >= required_set:
            for name in required:
                if name not in value:
                    found.append(f"{path or 'finding'}: missing required member {name!r}")
        size = 2.0
        for name, item in value.items():
            bounds = strings.get(name)
            if bounds is not None and type(item) is str:
                length = len(item)
                if (bounds[0] <= length <= bounds[1] and not (bounds[2] and (not length or item.isspace()))
                        and (item.isascii() or _encodable(item))):
                    # '"name": "value", ' (member names are ASCII)
                    size += len(name) + 8 + _BYTES_PER_CHARACTER * length
                    continue
            member = members.get(name)
            if member is None:
                found.append(f"{path or 'finding'}: unknown member {name!r}")
                size = _UNKNOWN_SIZE
            else:
                # '"name": value, ' (member names are ASCII)
                size += len(name) + 6 + member(item, f"{path}.{name}" if path else name, found)
        return size
    return check


def _list_check(shape: Shape, compiled: dict[str, Check]) -> Check:
    item_check = _compile(shape.member, compiled)
    bounds = _string_bounds(shape.member)
    minimum = _min_of(shape)
    types = _CONTAINER_TYPES["list"]

    def check(value: Any, path: str, found: list) -> float:
        if not isinstance(value, types):
            found.append(_type_error(path, value, "list"))
            return _UNKNOWN_SIZE
        if minimum is not None and len(value) < minimum:
            found.append(f"{path}: {len(value)} entries, fewer than {minimum}")
        size = 2.0
        for index, item in enumerate(value):
            if bounds is not None and type(item) is str:
                length = len(item)
                if (bounds[0] <= length <= bounds[1] and not (bounds[2] and (not length or item.isspace()))
                        and (item.isascii() or _encodable(item))):
                    size += 4 + _BYTES_PER_CHARACTER * length
                    continue
            size += 2 + item_check(item, f"{path}[{index}]", found)
        return size
    return check


def _map_check(shape: Shape, compiled: dict[str, Check]) -> Check:
    key_check = _compile(shape.key, compiled)
    value_check = _compile(shape.value, compiled)
    key_bounds = _string_bounds(shape.key)
    value_bounds = _string_bounds(shape.value)
    types = _CONTAINER_TYPES["map"]

    def check(value: Any, path: str, found: list) -> float:
        if not isinstance(value, types):
            found.append(_type_error(path, value, "map"))
            return _UNKNOWN_SIZE
        size = 2.0
        for key, item in value.items():
            if key_bounds is not None and value_bounds is not None and type(key) is str and type(item) is str:
                key_length = len(key)
                length = len(item)
                if (key_bounds[0] <= key_length <= key_bounds[1]
                        and not (key_bounds[2] and (not key_length or key.isspace()))
                        and value_bounds[0] <= length <= value_bounds[1]
                        and not (value_bounds[2] and (not length or item.isspace()))
                        and ((key.isascii() and item.isascii()) or (_encodable(key) and _encodable(item)))):
                    size += 8 + _BYTES_PER_CHARACTER * (key_length + length)
                    continue
            size += 4 + key_check(key, f"{path} key", found) + value_check(item, f"{path}[{key!r}]", found)
        return size
    return check


def _encodable(text: str) -> bool:
    """False for a lone surrogate: JSON can carry one as an escape, UTF-8 cannot, so the hub could not store it."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _string_check(shape: Shape) -> Check:
    minimum = _min_of(shape)
    maximum = shape.metadata.get("max")
    non_blank = bool(shape.metadata.get("pattern"))  # read as .*\S.* (all ASFF patterns but one), like _walk
    enum = frozenset(shape.enum or ())
    types = _SCALAR_TYPES["string"]

    def check(value: Any, path: str, found: list) -> float:
        if not isinstance(value, types):
            found.append(_type_error(path, value, "string"))
            return _UNKNOWN_SIZE
        length = len(value)
        if minimum is not None and length < minimum:
            found.append(f"{path}: {length} characters, fewer than {minimum}")
        if maximum is not None and length > maximum:
            found.append(f"{path}: {length} characters, more than {maximum}")
        # isspace() is the same Unicode whitespace as the regex's \S, without the regex.
        if non_blank and (not value or value.isspace()):
            found.append(f"{path}: empty or blank string")
        if enum and value not in enum:
            found.append(f"{path}: {value[:40]!r} is not one of {', '.join(sorted(enum))}")
        if not (value.isascii() or _encodable(value)):
            found.append(f"{path}: contains a lone surrogate (not encodable as UTF-8)")
        return 2 + _BYTES_PER_CHARACTER * length
    return check


def _number_check(shape: Shape) -> Check:
    minimum = _min_of(shape)
    kind = shape.type_name
    types = _SCALAR_TYPES[kind]
    ranged = kind != "boolean"

    def check(value: Any, path: str, found: list) -> float:
        if not isinstance(value, types):
            found.append(_type_error(path, value, kind))
            return _UNKNOWN_SIZE
        if ranged and minimum is not None and value < minimum:
            found.append(f"{path}: {value} is less than {minimum}")
        if isinstance(value, int) and not isinstance(value, bool):
            return len(str(value))
        return _FLOAT_BYTES
    return check


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


def _limits(finding: dict[str, Any], size_bound: float = _UNKNOWN_SIZE) -> list[str]:
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
    if size_bound > MAX_FINDING_BYTES:  # only then is the exact size worth computing
        text = json.dumps(finding, ensure_ascii=False)
        # No UTF-8 character is longer than 4 bytes: most findings need no encoding to know they fit.
        size = len(text) if len(text) * 4 <= MAX_FINDING_BYTES else len(text.encode("utf-8", "surrogatepass"))
        if size > MAX_FINDING_BYTES:
            found.append(f"size: {size} bytes, more than {MAX_FINDING_BYTES}")
    return found
