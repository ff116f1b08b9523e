"""The compiled ASFF model check agrees with botocore's ParamValidator (plus the
pattern and maximum-length walk) on valid findings and on every kind of break."""
from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parsers import registry
from pipeline.asff_validation import _model_node, botocore_problems, encoded_size, encoded_size_bound, problems
from pipeline.context import ScanContext
from pipeline.convert import to_validated_asff
from tests.conftest import FIXTURES

CONTEXT = ScanContext(account="123456789012", region="eu-west-1", repo="demo-repo", branch="main", commit="abc123")
REAL = FIXTURES / "real"


def _real_findings() -> list[dict[str, Any]]:
    findings = []
    for tool, name in (("bandit", "bandit.json"), ("checkov", "checkov.json"), ("wapiti", "wapiti.json"),
                       ("cfn-lint", "cfn-lint.json"), ("semgrep", "semgrep.json")):
        parsed = registry.parse_report(tool, (REAL / name).read_bytes(), name)
        findings.extend(to_validated_asff(parsed, CONTEXT))
    return findings


FINDINGS = _real_findings()


def _model_problems(finding: dict[str, Any]) -> list[str]:
    """Every model problem, worded; and the fast check (which every finding takes) must agree that there are some."""
    found: list[str] = []
    _model_node().report(finding, "", found)
    assert _model_node().ok(finding) == (not found), found
    return found


def test_real_findings_are_valid_for_both() -> None:
    for finding in FINDINGS:
        assert _model_problems(finding) == [] and botocore_problems(finding) == []


BREAKS = {
    "wrong top-level type": lambda f: f.update(Title=3),
    "unknown member": lambda f: f.update(Bogus="x"),
    "unknown nested member": lambda f: f["Resources"][0].update(Colour="red"),
    "missing required": lambda f: f.pop("Description"),
    "missing nested required": lambda f: f["Resources"][0].pop("Type"),
    "blank string": lambda f: f.update(GeneratorId="   "),
    "empty nested string": lambda f: f["Resources"][0].update(Id=""),
    "list for string": lambda f: f.update(SourceUrl=["x"]),
    "string for list": lambda f: f.update(Types="Software and Configuration Checks"),
    "string for map": lambda f: f.update(ProductFields="k=v"),
    "number in map": lambda f: f["ProductFields"].update({"secpipe/n": 5}),
    "string for integer": lambda f: f["Vulnerabilities"][0]["CodeVulnerabilities"][0]["FilePath"].update(StartLine="7"),
    "none value": lambda f: f["Severity"].update(Original=None),
    "string for nested list": lambda f: f["Vulnerabilities"][0]["CodeVulnerabilities"][0].update(Cwes="CWE-78"),
}


def test_every_break_is_caught_by_both() -> None:
    base = next(f for f in FINDINGS if f.get("Vulnerabilities") and f["Vulnerabilities"][0].get("CodeVulnerabilities"))
    for name, breaker in BREAKS.items():
        finding = copy.deepcopy(base)
        breaker(finding)
        assert _model_problems(finding), f"compiled check missed: {name}"
        assert botocore_problems(finding), f"reference missed: {name}"
        assert problems(finding), name


def _paths(value: Any, path: tuple = ()) -> list[tuple]:
    found = [path] if path else []
    if isinstance(value, dict):
        for key, item in value.items():
            found.extend(_paths(item, (*path, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(_paths(item, (*path, index)))
    return found


_values = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=False), st.text(max_size=5),
                    st.lists(st.text(max_size=3), max_size=2), st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=2))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(FINDINGS) - 1), st.integers(0, 10_000), _values, st.booleans())
def test_compiled_check_agrees_with_botocore(which: int, where: int, value: Any, add_member: bool) -> None:
    finding = copy.deepcopy(FINDINGS[which])
    paths = _paths(finding)
    *parent_path, last = paths[where % len(paths)]
    parent = finding
    for part in parent_path:
        parent = parent[part]
    if add_member and isinstance(parent, dict):
        parent[f"{last}X"] = value
    else:
        parent[last] = value
    assert bool(_model_problems(finding)) == bool(botocore_problems(finding))


def test_security_hub_limits_beyond_the_model_still_apply() -> None:
    finding = copy.deepcopy(FINDINGS[0])
    finding["Title"] = "x" * 257
    finding["Types"] = []
    found = problems(finding)
    assert any(p.startswith("Title") for p in found) and any(p.startswith("Types") for p in found)


def _exact_size(finding: dict[str, Any]) -> int:
    import json
    return len(json.dumps(finding, ensure_ascii=False).encode("utf-8", "surrogatepass"))


def test_size_bound_never_underestimates_and_oversize_is_caught() -> None:
    for finding in FINDINGS:
        assert encoded_size_bound(finding) >= _exact_size(finding) == encoded_size(finding)
    big = copy.deepcopy(FINDINGS[0])
    for index in range(35):  # each value within its 2048 characters, 8 KB as UTF-8
        big["ProductFields"][f"secpipe/blob{index}"] = "\U0001f512" * 2000 + "\x01" * 40
    found = problems(big)
    assert any(p.startswith("size:") for p in found), found


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.text(max_size=20), st.text(max_size=200), max_size=60))
def test_size_bound_holds_for_any_text(fields: dict[str, str]) -> None:
    finding = copy.deepcopy(FINDINGS[0])
    finding["ProductFields"] = fields
    assert encoded_size_bound(finding) >= _exact_size(finding) == encoded_size(finding)


def test_the_scalar_types_are_botocores() -> None:
    from botocore.validate import ParamValidator

    from pipeline.asff_validation import _SCALAR_TYPES

    assert _SCALAR_TYPES == {kind: tuple(types) for kind, types in ParamValidator.SCALAR_TYPES.items()}


def test_validating_a_finding_does_not_import_botocore() -> None:
    """botocore costs a third of a second to import: `secpipe parse` reads the model file it ships instead."""
    import json
    import subprocess
    import sys

    script = ("import sys, json; from pipeline.asff_validation import problems; "
              "print(problems(json.loads(sys.stdin.read())), 'botocore' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", script], input=json.dumps(FINDINGS[0]), capture_output=True,
                          text=True, check=True)
    assert done.stdout.split() == ["[]", "False"]
