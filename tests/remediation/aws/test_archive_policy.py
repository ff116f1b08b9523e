"""The archive policy is data: which findings it archives and why, and one clear error
for a bad document (a ConfigError: CLI exit 2, no traceback)."""
from __future__ import annotations

from datetime import date

import pytest

from pipeline.errors import SecpipeError
from pipeline.remediation.archive_policy import ArchivePolicyError, parse_archive_policy

TODAY = date(2026, 12, 1)
POLICY = parse_archive_policy("""{
  "excluded_accounts": ["999988887777"],
  "controls_off": ["EC2.2"],
  "accepted_risks": [
    {"control": "S3.8", "resource": "arn:aws:s3:::public-site-*", "reason": "public website", "expires": "2027-06-30"},
    {"control": "IAM.6", "account": "111122223333", "reason": "root MFA token held by the bank"}
  ]
}""")


@pytest.mark.parametrize(("control", "account", "resource", "reason"), [
    ("S3.8", "999988887777", "arn:aws:s3:::anything", "account 999988887777 is excluded from remediation"),
    ("EC2.2", "111122223333", "arn:aws:ec2:us-east-1:111122223333:security-group/sg-1", "control EC2.2 is switched off"),
    ("S3.8", "111122223333", "arn:aws:s3:::public-site-www", "accepted risk for S3.8 until 2027-06-30: public website"),
    ("IAM.6", "111122223333", "AWS::::Account:111122223333", "accepted risk for IAM.6: root MFA token held by the bank"),
])
def test_what_the_policy_archives_and_the_note_it_gives(control, account, resource, reason) -> None:
    assert reason in POLICY.reason_to_archive(control, account, resource, TODAY)


@pytest.mark.parametrize(("control", "account", "resource"), [
    ("S3.8", "111122223333", "arn:aws:s3:::private-data"),  # another bucket
    ("IAM.6", "222233334444", "AWS::::Account:222233334444"),  # the risk is one account's
    ("EC2.7", "111122223333", "AWS::::Account:111122223333"),  # not switched off
])
def test_what_it_leaves_to_remediation(control, account, resource) -> None:
    assert POLICY.reason_to_archive(control, account, resource, TODAY) is None


def test_an_expired_risk_no_longer_archives() -> None:
    assert POLICY.reason_to_archive("S3.8", "111122223333", "arn:aws:s3:::public-site-www", date(2027, 7, 1)) is None
    assert POLICY.reason_to_archive("S3.8", "111122223333", "arn:aws:s3:::public-site-www", date(2027, 6, 30))


@pytest.mark.parametrize("text", [None, "", "  ", "{}"])
def test_no_policy_archives_nothing(text) -> None:
    assert parse_archive_policy(text).reason_to_archive("S3.8", "111122223333", "x", TODAY) is None


@pytest.mark.parametrize(("text", "message"), [
    ("{not json", "not valid JSON"),
    ("[]", "must be a JSON object"),
    ('{"controls_of": ["EC2.2"]}', "unknown key(s) controls_of"),
    ('{"excluded_accounts": "111122223333"}', "excluded_accounts must be a list"),
    ('{"excluded_accounts": ["1111"]}', "is not a 12-digit account id"),
    ('{"controls_off": ["ec2 2"]}', "is not a control id"),
    ('{"accepted_risks": [{"control": "S3.8"}]}', "reason must be a non-empty string"),
    ('{"accepted_risks": [{"control": "S3.8", "reason": "x", "expires": "next year"}]}', "is not a date"),
    ('{"accepted_risks": [{"control": "S3.8", "reason": "x", "owner": "me"}]}', "accepted_risks[0]: unknown key(s) owner"),
])
def test_a_bad_policy_is_one_clear_error(text, message) -> None:
    with pytest.raises(ArchivePolicyError) as caught:
        parse_archive_policy(text, "SECPIPE_ARCHIVE_POLICY")
    assert message in str(caught.value) and str(caught.value).startswith("SECPIPE_ARCHIVE_POLICY")
    assert isinstance(caught.value, SecpipeError) and caught.value.exit_code == 2
