"""Secrets reported by scanners are masked in every field of a Finding."""
from __future__ import annotations

from pipeline import masking
from pipeline.finding import Category, CodeLocation, Finding, Severity

SECRET = "AKIAQWERTYUIOPASDFGH"


def test_mask_keeps_a_short_prefix_and_a_hash() -> None:
    masked = masking.mask_secret(SECRET)
    assert SECRET not in masked
    assert masked.startswith("AKIA***(sha256:")
    assert masked == masking.mask_secret(SECRET), "the same secret is recognisable across findings"
    assert masked != masking.mask_secret(SECRET[:-1] + "X")


def test_short_secrets_show_no_prefix() -> None:
    assert masking.mask_secret("hunter2").startswith("***(sha256:")


def test_redact_reaches_every_field_of_a_finding() -> None:
    finding = Finding(
        tool="trivy", rule_id="aws-access-key-id", title=f"AWS key {SECRET}", severity=Severity.CRITICAL,
        category=Category.SECRET, description=f"found {SECRET} in config",
        code_locations=[CodeLocation(path="cfg.env", start_line=2, snippet=f"KEY={SECRET}")],
        references=[f"https://example.test/?k={SECRET}"], extra={"match": SECRET, SECRET: "as a key"},
    )
    masked = masking.redact(finding, [SECRET])
    assert SECRET not in repr(masked)
    assert masked.code_locations[0].snippet.startswith("KEY=AKIA***")
    assert masked.severity is Severity.CRITICAL and masked.category is Category.SECRET
    assert SECRET in finding.title, "the original is left untouched"


def test_longer_secrets_are_masked_first() -> None:
    text = masking.redact_text("token=abcdefghijklmnop", ["abcdefgh", "abcdefghijklmnop"])
    assert "ijklmnop" not in text and text.count("***") == 1


def test_blank_secrets_change_nothing() -> None:
    finding = Finding(tool="t", rule_id="r", title="plain", severity=Severity.LOW, category=Category.SECRET)
    assert masking.redact(finding, ["", "   "]) is finding


def test_redact_handles_nested_containers() -> None:
    value = {"a": [SECRET, (SECRET, 1)], "b": None}
    assert SECRET not in repr(masking.redact(value, [SECRET]))


def test_redact_leaves_enum_labels_alone() -> None:
    """A secret that happens to be a substring of a label must not turn the label into text."""
    from pipeline.finding import Category, Finding, Severity
    from pipeline.masking import redact

    finding = Finding("trivy", "aws-access-key", "key sast found", Severity.HIGH, Category.SECRET,
                      description="value sast")
    masked = redact(finding, ["sast"])
    assert masked.category is Category.SECRET and masked.severity is Severity.HIGH
    assert "sast" not in masked.title and "sast" not in masked.description
