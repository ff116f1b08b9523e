"""Property: whatever a parser puts into a Finding, to_asff gives ASFF that
Security Hub accepts, never raises, and never silently loses the finding or
the size of what it had to leave out."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import asff as asff_module
from pipeline.asff import to_asff
from pipeline.asff_validation import encoded_size, encoded_size_bound, problems
from pipeline.context import ScanContext
from pipeline.convert import to_validated_asff
from pipeline.finding import Category, CodeLocation, Cvss, Finding, IacLocation, Package, Severity, WebLocation

CONTEXT = ScanContext(account="123456789012", region="eu-west-1", repo="demo-repo", branch="main", commit="abc123")

# Every code point, lone surrogates and control characters included.
_any_char = st.characters(codec=None, exclude_categories=())
_short = st.text(_any_char, max_size=40)
_blank = st.sampled_from(["", " ", "\t\n\r ", "\u3000\u00a0", "\x00\x01\x7f", "\ud800", "\udfff \x0b"])
_huge = st.builds(lambda s, n: (s or "x") * n, _short, st.integers(min_value=50, max_value=2000))
_unicode = st.sampled_from(["日本語のタイトル", "Ünïcödé ✓ \U0001f512", "‮right-to-left", "a\u0301\u0301", "\ufeffbom"])
text = st.one_of(_short, _blank, _huge, _unicode)
optional_text = st.none() | text
line = st.none() | st.integers(min_value=-5, max_value=10**9)
urls = st.one_of(text, st.builds(lambda p: f"https://example.test/{p}", _short))

_offsets = st.builds(lambda m: timezone(timedelta(minutes=m)), st.integers(min_value=-23 * 60 - 59, max_value=23 * 60 + 59))
moments = st.datetimes(timezones=st.none() | st.just(UTC) | _offsets)

cvss = st.builds(Cvss, version=text, score=st.none() | st.floats(allow_nan=False, allow_infinity=False, width=32),
                 vector=optional_text, source=optional_text)
packages = st.builds(Package, name=text, version=optional_text, fixed_version=optional_text, ecosystem=optional_text,
                     file_path=optional_text)
code_locations = st.builds(CodeLocation, path=text, start_line=line, end_line=line, start_column=line, snippet=optional_text)
web_locations = st.builds(WebLocation, url=urls, method=optional_text, parameter=optional_text, attack=optional_text,
                          evidence=optional_text)
iac_locations = st.builds(IacLocation, template=text, logical_id=optional_text, resource_type=optional_text, line=line)

findings = st.builds(
    Finding,
    tool=text,
    rule_id=text,
    title=text,
    severity=st.sampled_from(Severity),
    category=st.sampled_from(Category),
    description=text,
    native_severity=optional_text,
    confidence=optional_text,
    cwes=st.lists(st.integers(min_value=0, max_value=10**6), max_size=30),
    vulnerability_ids=st.lists(text, max_size=60),
    cvss=st.lists(cvss, max_size=5),
    packages=st.lists(packages, max_size=40),
    code_locations=st.lists(code_locations, max_size=45),
    web_locations=st.lists(web_locations, max_size=10),
    iac_location=st.none() | iac_locations,
    references=st.lists(urls, max_size=30),
    remediation=optional_text,
    remediation_url=st.none() | urls,
    suppressed=st.booleans(),
    suppression_reason=optional_text,
    fingerprint=optional_text,
    observed_at=st.none() | moments,
    extra=st.dictionaries(text, text, max_size=70),
    occurrence=st.integers(min_value=0, max_value=10**6),
)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SETTINGS
@given(findings)
def test_any_finding_gives_valid_asff(finding: Finding) -> None:
    asff = to_asff(finding, CONTEXT)
    assert problems(asff) == []
    # The size bound (orjson's, which spares a json.dumps) never underestimates, and the exact size is exact.
    exact = len(json.dumps(asff, ensure_ascii=False).encode("utf-8", "surrogatepass"))
    assert encoded_size_bound(asff) >= exact == encoded_size(asff)
    assert asff["Title"].strip() and asff["Description"].strip()
    assert to_asff(finding, CONTEXT)["Id"] == asff["Id"], "the Id must be deterministic"


@SETTINGS
@given(findings)
def test_nothing_is_dropped_silently(finding: Finding) -> None:
    (asff,) = to_validated_asff([finding], CONTEXT)
    locations = len(finding.code_locations) + len(finding.web_locations) + (1 if finding.iac_location else 0)
    # Packages are the resources only of a finding without another location; a bare finding names the repository.
    expected = locations or len(finding.packages) or 1
    resources = asff["Resources"]
    if expected > asff_module.RESOURCES_MAX:
        assert len(resources) == asff_module.RESOURCES_MAX
        marker = resources[-1]["Details"]["Other"]
        assert int(marker["omittedLocations"]) == expected - (asff_module.RESOURCES_MAX - 1)
    else:
        assert len(resources) == expected
    if len(finding.extra) + 12 > asff_module.PRODUCT_FIELDS_MAX:
        fields = asff["ProductFields"]
        assert len(fields) <= asff_module.PRODUCT_FIELDS_MAX
        printable = sum(1 for k, v in finding.extra.items() if asff_module.text_or_none(k) and asff_module.text_or_none(v))
        if printable + 12 > asff_module.PRODUCT_FIELDS_MAX:
            assert "secpipe/extra-fields-omitted" in fields


@SETTINGS
@given(st.lists(findings, min_size=1, max_size=5))
def test_a_batch_keeps_every_finding(batch: list[Finding]) -> None:
    assert len(to_validated_asff(batch, CONTEXT)) == len(batch)


def test_extreme_timestamps_stay_valid() -> None:
    """Year 1 with a positive offset, and year 9999 with a negative one, fall outside datetime's range in UTC."""
    for moment in (datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=23))),
                   datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-23))),
                   datetime(2024, 2, 29, 12, 0)):
        finding = Finding(tool="t", rule_id="r", title="t", severity=Severity.LOW, category=Category.SAST,
                          observed_at=moment)
        assert problems(to_asff(finding, CONTEXT)) == []


_ascii_char = st.characters(min_codepoint=0, max_codepoint=127)


@settings(max_examples=300, deadline=None)
@given(st.one_of(text, st.text(_ascii_char, max_size=200)))
def test_control_characters_are_removed_as_the_regex_removes_them(value: str) -> None:
    """The ASCII fast path (bytes.translate) and the others remove exactly what _CONTROL matches."""
    expected = asff_module._CONTROL.sub("", value)
    assert asff_module._without_control(value) == expected
    assert asff_module.clean(value) == expected.strip()
    assert asff_module.text_or_none(value) == (expected.strip() or None)


def test_every_ascii_control_character_but_tab_and_line_breaks_is_removed() -> None:
    every_ascii = "".join(map(chr, range(128)))
    kept = asff_module._without_control(every_ascii)
    assert kept == "\t\n\r" + "".join(map(chr, range(0x20, 0x7f)))
    assert asff_module._without_control("plain\ttext\nwith breaks") == "plain\ttext\nwith breaks"
