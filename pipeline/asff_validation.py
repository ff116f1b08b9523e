"""ASFF validation in one place: botocore's BatchImportFindings model plus the
Security Hub limits that the model does not carry (see
../shared/reference/asff-constraints.md, summarised in the constants below).

The model is compiled once, from the Security Hub model file botocore ships, into
one node per shape; Security Hub's own limits are laid over the nodes of the
members they concern. A finding takes one pass: each node's `ok` says whether a
value has any problem, and only where it has does `report` word them all. The
checks are botocore's ParamValidator's (types, required and unknown members,
minimum lengths and values, with its type tables) plus the model's maximum lengths,
enums and non-blank patterns; tests/test_asff_validation.py keeps them in agreement
with ParamValidator itself, which walks the model afresh for every value and once
was most of the cost of `secpipe parse`. What no member says alone (timestamps, a
severity, the 240 KB size) is checked once per finding. The module is compiled by
mypyc where it can be (pipeline.native).
"""
from __future__ import annotations

import gzip
import importlib.util
import json
import re
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import orjson

if TYPE_CHECKING:
    from botocore.model import Shape

# botocore itself (a third of a second to import) is needed only by the reference checks
# the tests compare against and by the two shapes botocore's rules check; the validator
# reads the very model file botocore ships.

MAX_FINDING_BYTES: Final = 240 * 1024
_NON_BLANK = re.compile(r".*\S.*", re.DOTALL)
_TIMESTAMP = re.compile(
    r"^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T(?:([01]\d|2[0-3]):[0-5]\d:[0-5]\d|23:59:60)"
    r"(?:\.\d{1,9})?(Z|[+-]\d\d(:?\d\d)?)$"
)
_TIMESTAMP_FIELDS: Final = ("CreatedAt", "UpdatedAt", "FirstObservedAt", "LastObservedAt", "ProcessedAt")
_SEVERITY_LABELS: Final = {"INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"}

# (path, maximum length) for strings, and (path, maximum count) for lists/maps.
STRING_LIMITS = {
    "Id": 512, "GeneratorId": 512, "ProductArn": 2048, "Title": 256, "Description": 1024,
    "Remediation.Recommendation.Text": 512, "Note.Text": 512,
}
COUNT_LIMITS = {"Types": 50, "Resources": 32, "ProductFields": 50, "UserDefinedFields": 50, "RelatedFindings": 10}
PRODUCT_FIELD_KEY_MAX: Final = 128
PRODUCT_FIELD_VALUE_MAX: Final = 2048
DETAILS_OTHER_PAIRS_MAX: Final = 50
DETAILS_OTHER_KEY_MAX: Final = 127  # "under 128"
DETAILS_OTHER_VALUE_MAX: Final = 1023  # "under 1,024"


class AsffValidationError(ValueError):
    """A finding Security Hub would reject; `problems` lists every reason."""

    def __init__(self, finding_id: str, problems: list[str]):
        self.finding_id = finding_id
        self.problems = problems
        super().__init__(f"invalid ASFF finding {finding_id!r}: " + "; ".join(problems))


@lru_cache(maxsize=1)
def _botocore_model() -> Any:
    import botocore.session

    return botocore.session.get_session().get_service_model("securityhub")


def _finding_shape() -> Shape:
    return _import_shape().members["Findings"].member


def _import_shape() -> Shape:
    return _botocore_model().operation_model("BatchImportFindings").input_shape


#: A shape as the model file writes it: {"type": ..., "members": {name: {"shape": ...}}, "min": ..., ...}.
RawShape = dict[str, Any]


@lru_cache(maxsize=1)
def _model_shapes() -> dict[str, RawShape]:
    """The Security Hub model botocore ships (its newest API version), read as botocore's loader reads it."""
    spec = importlib.util.find_spec("botocore")
    if spec is None or spec.origin is None:
        raise RuntimeError("botocore is not installed: it carries the Security Hub model")
    service = Path(spec.origin).parent / "data" / "securityhub"
    folder = service / max(path.name for path in service.iterdir() if path.is_dir())
    packed = folder / "service-2.json.gz"
    raw = gzip.decompress(packed.read_bytes()) if packed.exists() else (folder / "service-2.json").read_bytes()
    return orjson.loads(raw)["shapes"]


def _finding_shape_name() -> str:
    shapes = _model_shapes()
    findings = shapes["BatchImportFindingsRequest"]["members"]["Findings"]["shape"]
    return shapes[findings]["member"]["shape"]


def problems(finding: dict[str, Any], size_bound: float | None = None) -> list[str]:
    """Every reason Security Hub would reject this finding; empty when valid.

    `size_bound` is encoded_size_bound(finding) where the caller has just taken it of this very
    dict (pipeline.asff does, to fit the size): the size is checked by it instead of encoding
    the finding once more."""
    found: list[str] = []
    bound = encoded_size_bound(finding) if size_bound is None else size_bound
    root = _finding_node()
    # orjson encodes no string that holds a lone surrogate: in a finding it has encoded (a finite
    # bound) there is none, and the ~70 texts of a finding need not be looked at for one.
    if not root.ok(finding, bound != UNKNOWN_SIZE):
        root.report(finding, "", found)
        if not found:  # ok and report state the same conditions; a node where they part is a bug here
            found.append("finding: refused by the model check, which could not say why")
    try:
        found.extend(_limits(finding, bound))
    except (AttributeError, TypeError, KeyError):
        if not found:
            raise
        # _limits reads a well-typed finding; the wrong type it tripped on is already reported.
    return found


def botocore_problems(finding: dict[str, Any]) -> list[str]:
    """The same model checks through botocore's own ParamValidator and the pattern/maximum walk.

    Slow; kept as the reference the compiled validator is tested against.
    """
    from botocore.validate import ParamValidator

    found: list[str] = []
    report = ParamValidator().validate({"Findings": [finding]}, _import_shape())
    if report.has_errors():
        found.extend(line.strip() for line in report.generate_report().splitlines() if line.strip())
    _walk(finding, _finding_shape(), "", found)
    return found


# --- the model, compiled -------------------------------------------------------------------------

#: botocore's ParamValidator.SCALAR_TYPES (a test keeps them equal): which Python types each model type takes.
_SCALAR_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "integer": (int,), "long": (int,), "boolean": (bool,),
    "float": (float, Decimal, int), "double": (float, Decimal, int),
}
#: The size bound of a value whose size is not known: the exact size must be taken.
UNKNOWN_SIZE: Final = float("inf")
#: No limit on a string's length.
_NO_MAXIMUM: Final = 1 << 62


def size_bound_of_compact(compact_length: int | None) -> float:
    """encoded_size_bound of a value whose orjson compact form is `compact_length` bytes long
    (None: orjson could not encode it), for a caller that has encoded it already."""
    return UNKNOWN_SIZE if compact_length is None else 2 * compact_length


def encoded_size_bound(value: Any) -> float:
    """An upper bound of len(json.dumps(value, ensure_ascii=False)) in UTF-8 bytes, from C in about 1 us.

    orjson's compact form writes the same UTF-8 and escapes as json.dumps. json.dumps
    adds a space after each separator and spells a float at most 4 bytes longer
    ('Infinity' for null, '1e-05' for 1e-5); each of those stands on bytes of its
    own in the compact form, so twice its length is never exceeded. Infinity where
    orjson cannot encode the value at all (a lone surrogate, an integer over 64
    bits, a key that is not a str), so that the caller takes the exact size.
    """
    try:
        return size_bound_of_compact(len(orjson.dumps(value)))
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return UNKNOWN_SIZE


def encoded_size(value: Any) -> int:
    """len(json.dumps(value, ensure_ascii=False)) as UTF-8 (a lone surrogate counted as its 3 bytes)."""
    text = json.dumps(value, ensure_ascii=False)
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def _type_error(path: str, value: Any, kind: str) -> str:
    return f"{path or 'finding'}: invalid type {type(value).__name__}, expected {kind}"


def _min_of(shape: RawShape | None) -> float | None:
    """ParamValidator's range_check: the model's 'min' (no ASFF member is a host label, botocore's other case)."""
    return shape.get("min") if shape is not None else None


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
    def ok(self, value: Any, utf8: bool = False) -> bool:
        """No problem at all; `utf8`: every string in `value` is known to be encodable as UTF-8."""
        raise NotImplementedError

    def report(self, value: Any, path: str, found: list[str]) -> None:
        raise NotImplementedError


class _TextNode(_Node):
    """A string shape: the model's minimum and maximum length, its non-blank pattern, its enum."""

    def __init__(self, shape: RawShape | None):
        """The model's string shape; None for a copy that narrowed() fills in (mypyc's classes have no bare __new__)."""
        shape = shape or {}
        minimum = _min_of(shape)
        maximum = shape.get("max")
        self.minimum = int(minimum) if minimum is not None else 0
        self.maximum = int(maximum) if maximum is not None else _NO_MAXIMUM
        self.non_blank = bool(shape.get("pattern"))  # read as .*\S.* (all ASFF patterns but one), like _walk
        self.enum: frozenset[str] = frozenset(shape.get("enum") or ())
        # Security Hub's own rules for a few members (see _with_security_hub_limits).
        self.form: re.Pattern[str] | None = None  # the text must match it whole
        self.form_name = ""  # what the form is called in a problem

    def narrowed(self, minimum: int | None = None, maximum: int | None = None, enum: frozenset[str] | None = None,
                 form: re.Pattern[str] | None = None, form_name: str = "") -> _TextNode:
        """A copy for one member, with its limits tightened (never loosened) by Security Hub's."""
        copy = _TextNode(None)
        copy.minimum = self.minimum if minimum is None else max(self.minimum, minimum)
        copy.maximum = self.maximum if maximum is None else min(self.maximum, maximum)
        copy.non_blank = self.non_blank
        copy.enum = self.enum if enum is None else (enum & self.enum if self.enum else enum)
        copy.form = self.form if form is None else form
        copy.form_name = self.form_name if form is None else form_name
        return copy

    def text_ok(self, text: str, utf8: bool = False) -> bool:
        length = len(text)
        # isspace() is the same Unicode whitespace as the regex's \S, without the regex. `utf8` first:
        # isascii() is a method call to compiled code (isspace() is not), once per text of a finding.
        return (self.minimum <= length <= self.maximum and not (self.non_blank and (not length or text.isspace()))
                and (not self.enum or text in self.enum) and (utf8 or text.isascii() or _encodable(text))
                and (self.form is None or self.form.fullmatch(text) is not None))

    def ok(self, value: Any, utf8: bool = False) -> bool:
        return isinstance(value, str) and self.text_ok(value, utf8)

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
        if self.form is not None and self.form.fullmatch(value) is None:
            found.append(f"{path}: {self.form_name}")


class _NumberNode(_Node):
    def __init__(self, shape: RawShape):
        self.kind: str = shape["type"]
        self.types: tuple[type, ...] = _SCALAR_TYPES[self.kind]
        minimum = _min_of(shape) if self.kind != "boolean" else None
        self.ranged = minimum is not None
        self.minimum: float = minimum if minimum is not None else 0

    def below_minimum(self, number: Any) -> bool:
        return self.ranged and number < self.minimum

    def ok(self, value: Any, utf8: bool = False) -> bool:
        return isinstance(value, self.types) and not self.below_minimum(value)

    def report(self, value: Any, path: str, found: list[str]) -> None:
        if not isinstance(value, self.types):
            found.append(_type_error(path, value, self.kind))
        elif self.below_minimum(value):
            found.append(f"{path}: {value} is less than {self.minimum}")


class _ReferenceNode(_Node):
    """Document types, tagged unions, timestamps and blobs: rare in ASFF; botocore's own rules."""

    def __init__(self, name: str):
        self.name = name  # the shape, looked up in botocore's model only when a finding holds such a value

    def _problems(self, value: Any) -> Any:
        from botocore.validate import ParamValidator

        return ParamValidator().validate(value, _botocore_model().shape_for(self.name))

    def ok(self, value: Any, utf8: bool = False) -> bool:
        return not self._problems(value).has_errors()

    def report(self, value: Any, path: str, found: list[str]) -> None:
        report = self._problems(value)
        if report.has_errors():
            found.extend(f"{path}: {line.strip()}" for line in report.generate_report().splitlines() if line.strip())


class _StructureNode(_Node):
    def __init__(self, shape: RawShape):
        self.shape = shape
        self.members: dict[str, _Node] = {}  # filled by _compile, after this node is known (shapes recur)
        self.texts: dict[str, _TextNode] = {}  # the members that are string shapes, checked without a call
        self.required: tuple[str, ...] = tuple(shape.get("required", ()))
        self.required_set = frozenset(self.required)

    def narrowed(self, name: str, member: _Node, required: bool = False) -> _StructureNode:
        """A copy with one member's node replaced (and that member required, if asked)."""
        copy = _StructureNode(self.shape)
        copy.members = {**self.members, name: member}
        copy.texts = {key: node for key, node in self.texts.items() if key != name}
        if isinstance(member, _TextNode):
            copy.texts[name] = member
        copy.required = (*self.required, name) if required and name not in self.required else self.required
        copy.required_set = frozenset(copy.required)
        return copy

    def ok(self, value: Any, utf8: bool = False) -> bool:
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
                    if text.text_ok(item, utf8):
                        continue
                    return False
            member = members.get(name)
            if member is None or not member.ok(item, utf8):
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
    def __init__(self, shape: RawShape | None, item: _Node):
        self.item = item
        self.text = item if isinstance(item, _TextNode) else None
        minimum = _min_of(shape) if shape is not None else None
        self.minimum = int(minimum) if minimum is not None else 0
        self.maximum = _NO_MAXIMUM  # entries; the model sets none, Security Hub does

    def narrowed(self, item: _Node | None = None, minimum: int | None = None, maximum: int | None = None) -> _ListNode:
        copy = _ListNode(None, self.item if item is None else item)
        copy.minimum = self.minimum if minimum is None else max(self.minimum, minimum)
        copy.maximum = self.maximum if maximum is None else min(self.maximum, maximum)
        return copy

    def ok(self, value: Any, utf8: bool = False) -> bool:
        if not isinstance(value, (list, tuple)) or not self.minimum <= len(value) <= self.maximum:
            return False
        text = self.text
        if text is not None:
            for entry in value:
                if not (text.text_ok(entry, utf8) if type(entry) is str else text.ok(entry, utf8)):
                    return False
            return True
        item = self.item
        for entry in value:
            if not item.ok(entry, utf8):
                return False
        return True

    def report(self, value: Any, path: str, found: list[str]) -> None:
        if not isinstance(value, (list, tuple)):
            found.append(_type_error(path, value, "list"))
            return
        if len(value) < self.minimum:
            found.append(f"{path}: {len(value)} entries, fewer than {self.minimum}")
        if len(value) > self.maximum:
            found.append(f"{path}: {len(value)} entries, more than {self.maximum}")
        for index, entry in enumerate(value):
            if not self.item.ok(entry):
                self.item.report(entry, f"{path}[{index}]", found)


class _MapNode(_Node):
    def __init__(self, key: _Node, value: _Node):
        self.key = key
        self.value = value
        self.key_text = key if isinstance(key, _TextNode) else None
        self.value_text = value if isinstance(value, _TextNode) else None
        self.maximum = _NO_MAXIMUM  # pairs

    def narrowed(self, key: _Node, value: _Node, maximum: int) -> _MapNode:
        copy = _MapNode(key, value)
        copy.maximum = min(self.maximum, maximum)
        return copy

    def ok(self, value: Any, utf8: bool = False) -> bool:
        if not isinstance(value, dict) or len(value) > self.maximum:
            return False
        key_text = self.key_text
        value_text = self.value_text
        if key_text is not None and value_text is not None:
            for key, item in value.items():
                if type(key) is str and type(item) is str:
                    if key_text.text_ok(key, utf8) and value_text.text_ok(item, utf8):
                        continue
                    return False
                if not (key_text.ok(key, utf8) and value_text.ok(item, utf8)):
                    return False
            return True
        for key, item in value.items():
            if not (self.key.ok(key, utf8) and self.value.ok(item, utf8)):
                return False
        return True

    def report(self, value: Any, path: str, found: list[str]) -> None:
        if not isinstance(value, dict):
            found.append(_type_error(path, value, "map"))
            return
        if len(value) > self.maximum:
            found.append(f"{path}: {len(value)} pairs, more than {self.maximum}")
        for key, item in value.items():
            if not self.key.ok(key):
                self.key.report(key, f"{path} key", found)
            if not self.value.ok(item):
                self.value.report(item, f"{path}[{key!r}]", found)


def _compile(name: str, shapes: dict[str, RawShape], compiled: dict[str, _Node]) -> _Node:
    """One node per shape, built once; recursive shapes resolve through `compiled`."""
    known = compiled.get(name)
    if known is not None:
        return known
    shape = shapes[name]
    kind = shape["type"]
    node: _Node
    if kind == "structure" and not (shape.get("document") or shape.get("union")):
        structure = _StructureNode(shape)
        compiled[name] = structure  # before its members: a structure may contain itself
        for member_name, member in shape.get("members", {}).items():
            member_node = _compile(member["shape"], shapes, compiled)
            structure.members[member_name] = member_node
            if isinstance(member_node, _TextNode):
                structure.texts[member_name] = member_node
        return structure
    if kind == "list":
        node = _ListNode(shape, _compile(shape["member"]["shape"], shapes, compiled))
    elif kind == "map":
        node = _MapNode(_compile(shape["key"]["shape"], shapes, compiled),
                        _compile(shape["value"]["shape"], shapes, compiled))
    elif kind == "string":
        node = _TextNode(shape)
    elif kind in _SCALAR_TYPES:
        node = _NumberNode(shape)
    else:
        node = _ReferenceNode(name)
    compiled[name] = node
    return node


@lru_cache(maxsize=1)
def _model_node() -> _Node:
    """The model alone, as botocore states it (what tests compare with ParamValidator)."""
    return _compile(_finding_shape_name(), _model_shapes(), {})


@lru_cache(maxsize=1)
def _finding_node() -> _Node:
    """The model with Security Hub's limits beyond it: what every finding is checked against."""
    return _with_security_hub_limits(_model_node())


# --- Security Hub's limits beyond the model, laid over the compiled model at their members ---------

_ACCOUNT_ID = re.compile(r"\d{12}")
#: What Security Hub keys a finding by holds no control characters (NUL included).
_NO_CONTROL = re.compile(r"[^\x00-\x1f\x7f]*")
#: The only ASFF schema version there is.
SCHEMA_VERSION = "2018-10-08"
Change = Callable[[_Node], _Node]


def _replace(node: _Node, path: tuple[str, ...], change: Change, required: bool = False) -> _Node:
    """`node` with the node at `path` (member names; "[]" for a list's items) replaced by change(it).

    The nodes on the way are copied, never changed: the model shares one node between
    every member of the same shape, and a limit holds for one member only.
    """
    if not path:
        return change(node)
    head, rest = path[0], path[1:]
    if head == "[]" and isinstance(node, _ListNode):
        return node.narrowed(item=_replace(node.item, rest, change))
    if isinstance(node, _StructureNode) and head in node.members:
        return node.narrowed(head, _replace(node.members[head], rest, change), required=required and not rest)
    raise TypeError(f"no member {head!r} in the ASFF model at this point: the Security Hub limits are out of date")


def _text(minimum: int | None = None, maximum: int | None = None, enum: frozenset[str] | None = None,
          form: re.Pattern[str] | None = None, form_name: str = "") -> Change:
    def change(node: _Node) -> _Node:
        if not isinstance(node, _TextNode):
            raise TypeError("a text limit on a member that is not a string")
        return node.narrowed(minimum, maximum, enum, form, form_name)
    return change


def _count(minimum: int | None = None, maximum: int = _NO_MAXIMUM, key_maximum: int | None = None,
           value_maximum: int | None = None) -> Change:
    """Entries of a list, or pairs of a map (whose keys and values may be limited too)."""
    def change(node: _Node) -> _Node:
        if isinstance(node, _ListNode):
            return node.narrowed(minimum=minimum, maximum=maximum)
        if isinstance(node, _MapNode) and isinstance(node.key, _TextNode) and isinstance(node.value, _TextNode):
            return node.narrowed(node.key.narrowed(maximum=key_maximum), node.value.narrowed(maximum=value_maximum),
                                 maximum)
        raise TypeError("a count limit on a member that is neither a list nor a map of strings")
    return change


def _with_security_hub_limits(root: _Node) -> _Node:
    """The limits of ../shared/reference/asff-constraints.md that the API model does not carry."""
    overlays: list[tuple[tuple[str, ...], Change, bool]] = [
        *((tuple(dotted.split(".")), _text(maximum=limit), False) for dotted, limit in STRING_LIMITS.items()),
        *(((dotted,), _count(maximum=limit), False) for dotted, limit in COUNT_LIMITS.items()),
        (("SchemaVersion",), _text(enum=frozenset({SCHEMA_VERSION})), False),
        (("Id",), _text(form=_NO_CONTROL, form_name="contains a control character"), False),
        (("ProductArn",), _text(minimum=12, form=_NO_CONTROL, form_name="contains a control character"), False),
        (("AwsAccountId",), _text(form=_ACCOUNT_ID, form_name="must be 12 digits"), False),
        # Required by Security Hub (asff-required-attributes), though not by the API model.
        (("Types",), _count(minimum=1), True),
        (("Resources",), _count(minimum=1), False),
        (("ProductFields",), _count(key_maximum=PRODUCT_FIELD_KEY_MAX, value_maximum=PRODUCT_FIELD_VALUE_MAX), False),
        (("Resources", "[]", "Region"), _text(minimum=1, maximum=16), False),
        (("Resources", "[]", "Type"), _text(maximum=256), False),
        (("Resources", "[]", "Details", "Other"), _count(maximum=DETAILS_OTHER_PAIRS_MAX,
                                                         key_maximum=DETAILS_OTHER_KEY_MAX,
                                                         value_maximum=DETAILS_OTHER_VALUE_MAX), False),
    ]
    for path, change, required in overlays:
        root = _replace(root, path, change, required)
    return root


def validate(finding: dict[str, Any], size_bound: float | None = None) -> dict[str, Any]:
    """Return the finding unchanged, or raise AsffValidationError with every problem (`size_bound`:
    see problems)."""
    found = problems(finding, size_bound)
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


#: Timestamps already matched: the findings of one scan share their CreatedAt, UpdatedAt and LastObservedAt.
_known_timestamps: set[str] = set()
_KNOWN_TIMESTAMPS_MAX: Final = 4096


def _is_timestamp(value: str) -> bool:
    if type(value) is str and value in _known_timestamps:
        return True
    if not _TIMESTAMP.match(value):
        return False
    if type(value) is str and len(_known_timestamps) < _KNOWN_TIMESTAMPS_MAX:
        _known_timestamps.add(value)
    return True


def _limits(finding: dict[str, Any], size_bound: float | None = None) -> list[str]:
    """What no one member says: timestamps (in RFC 3339 with a zone), a severity, the size
    (`size_bound`: encoded_size_bound of the finding, if already taken)."""
    found: list[str] = []
    for name in _TIMESTAMP_FIELDS:
        value = finding.get(name)
        if value is not None and not (isinstance(value, str) and _is_timestamp(value)):
            found.append(f"{name}: {value!r} is not an RFC 3339 timestamp with a zone")
    severity = finding.get("Severity") or {}
    if severity.get("Label") not in _SEVERITY_LABELS and "Normalized" not in severity:
        found.append("Severity: needs a Label (or Normalized)")
    bound = encoded_size_bound(finding) if size_bound is None else size_bound
    if bound > MAX_FINDING_BYTES:  # only then is the exact size worth taking
        size = encoded_size(finding)
        if size > MAX_FINDING_BYTES:
            found.append(f"size: {size} bytes, more than {MAX_FINDING_BYTES}")
    return found
