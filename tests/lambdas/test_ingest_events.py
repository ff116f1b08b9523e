"""Event shapes -> ReportEvent, archive keys -> context, and who wins when sources disagree."""
from __future__ import annotations

import pytest

from pipeline.archive import ReportRef
from pipeline.ingest.errors import FindingsNotAccepted, RejectedReport
from pipeline.ingest.events import ReportEvent, UnsupportedEvent, report_events
from pipeline.ingest.location import ref_from_key
from pipeline.ingest.objects import ReportObject
from pipeline.ingest.origin import report_origin
from pipeline.ingest.settings import IngestSettings
from pipeline.errors import ConfigError
from pipeline.sinks.base import FailedFinding


def test_explicit_event_carries_its_context():
    [event] = report_events({"bucket": "b", "key": "k.json", "tool": "bandit", "repo": "r", "branch": "dev",
                             "commit": "c0", "build_id": "x:1", "complete": True, "version_id": "v1"})
    assert event == ReportEvent(bucket="b", key="k.json", version_id="v1", tool="bandit", repo="r", branch="dev",
                                commit="c0", build_id="x:1", complete=True)


@pytest.mark.parametrize("event, message", [
    ({"bucket": "b", "key": ""}, "no 'key'"),
    ({"bucket": "b", "key": "k", "complete": "yes"}, "'complete' must be true or false"),
    ({"bucket": 3, "key": "k"}, "'bucket' must be a string"),
    ({"source": "aws.s3", "detail-type": "Object Deleted", "detail": {}}, "not an 'Object Created' event"),
    ({"Records": [{"eventSource": "aws:s3", "eventName": "ObjectRemoved:Delete", "s3": {}}]}, "not an ObjectCreated"),
    ({"Records": [{"eventSource": "aws:sqs"}]}, "unsupported event"),
    (["not", "an", "object"], "must be a JSON object"),
])
def test_malformed_events_are_unsupported(event, message):
    with pytest.raises(UnsupportedEvent, match=message):
        report_events(event)


def test_notification_keys_are_form_decoded_and_all_records_read():
    events = report_events({"Records": [
        {"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
         "s3": {"bucket": {"name": "b"}, "object": {"key": "a+b%2Bc%252F.json", "eTag": "e1", "versionId": "v1"}}},
        {"eventSource": "aws:s3", "eventName": "ObjectCreated:CompleteMultipartUpload",
         "s3": {"bucket": {"name": "b"}, "object": {"key": "second.json"}}},
    ]})
    assert [(e.key, e.etag, e.version_id) for e in events] == [("a b+c%2F.json", "e1", "v1"), ("second.json", None, None)]
    assert all(e.complete is None and not e.key_may_be_encoded for e in events)


def test_eventbridge_key_is_kept_as_given_but_may_be_encoded():
    [event] = report_events({"source": "aws.s3", "detail-type": "Object Created", "detail": {
        "bucket": {"name": "b"}, "object": {"key": "reports/r/feature%2Fx/1/bandit/a.json", "version-id": "v9"}}})
    assert event.key == "reports/r/feature%2Fx/1/bandit/a.json" and event.version_id == "v9"
    assert event.key_may_be_encoded


@pytest.mark.parametrize("ref", [
    ReportRef("shop", "main", "build:1", "bandit", "bandit.json"),
    ReportRef("org/shop", "feature/a b+c", "id%41", "npm-audit", "report 1.json"),
])
def test_archive_keys_read_back_to_their_ref(ref):
    assert ref_from_key(ref.key) == ref


def test_keys_encoded_only_for_percent_and_slash_read_back_too():
    # An uploader outside secpipe may encode just '%' and '/'.
    assert ref_from_key("reports/my shop/feature%2Fa b/build:1/bandit/out 1.json") == \
        ReportRef("my shop", "feature/a b", "build:1", "bandit", "out 1.json")


@pytest.mark.parametrize("key", [
    "reports/shop/main/1/bandit",  # a part short
    "reports/shop/main/1/bandit/x/y.json",  # a part too many
    "uploads/shop/main/1/bandit/x.json",  # another prefix
    "reports/shop/%2E%2E/1/bandit/x.json",  # '..' decoded
    "reports/shop//1/bandit/x.json",  # empty part
])
def test_other_keys_have_no_ref(key):
    assert ref_from_key(key) is None


def _object(key: str, **metadata: str) -> ReportObject:
    return ReportObject(bucket="b", key=key, etag="e", size=1, metadata=metadata)


def test_event_fields_beat_metadata_which_beats_the_key():
    key = ReportRef("key-repo", "key-branch", "key-build", "bandit", "r.json").key
    obj = _object(key, **{"secpipe-branch": "meta-branch", "secpipe-commit": "meta-commit", "secpipe-complete": "true"})
    origin = report_origin(ReportEvent(bucket="b", key=key, commit="event-commit", complete=False), obj)
    assert (origin.repo, origin.branch, origin.build_id, origin.tool) == ("key-repo", "meta-branch", "key-build", "bandit")
    assert origin.commit == "event-commit"
    assert origin.complete is False  # the event said so, over the metadata


def test_completeness_defaults_to_false_and_is_read_from_metadata():
    key = ReportRef("r", "b", "1", "bandit", "r.json").key
    assert report_origin(ReportEvent(bucket="b", key=key), _object(key)).complete is False
    assert report_origin(ReportEvent(bucket="b", key=key), _object(key, **{"secpipe-complete": "TRUE"})).complete is True
    with pytest.raises(RejectedReport, match="secpipe-complete must be true or false"):
        report_origin(ReportEvent(bucket="b", key=key), _object(key, **{"secpipe-complete": "yes"}))


def test_unknown_context_is_rejected_naming_the_object():
    with pytest.raises(RejectedReport, match=r"^s3://b/loose\.json: cannot tell the tool, repo, branch"):
        report_origin(ReportEvent(bucket="b", key="loose.json"), _object("loose.json"))


def test_settings_need_a_table_and_sane_numbers():
    with pytest.raises(ConfigError, match="SECPIPE_IDEMPOTENCY_TABLE"):
        IngestSettings.from_environment({})
    with pytest.raises(ConfigError, match="SECPIPE_INGEST_MAX_BYTES"):
        IngestSettings.from_environment({"SECPIPE_IDEMPOTENCY_TABLE": "t", "SECPIPE_INGEST_MAX_BYTES": "-5"})
    settings = IngestSettings.from_environment({"SECPIPE_IDEMPOTENCY_TABLE": "t", "AWS_REGION": "eu-north-1",
                                                "SECPIPE_SECURITYHUB_ENDPOINT": " http://127.0.0.1:9 "})
    assert (settings.idempotency_table, settings.region, settings.securityhub_endpoint) == \
        ("t", "eu-north-1", "http://127.0.0.1:9")


def test_not_accepted_error_names_findings_up_to_a_limit():
    failed = [FailedFinding(f"id-{n}", "InvalidInput", "bad") for n in range(25)]
    unsuppressed = [FailedFinding("id-x", "Throttled", "slow")]
    message = str(FindingsNotAccepted("s3://b/k?etag=e", failed, unsuppressed))
    assert message.startswith("s3://b/k?etag=e: 26 finding(s) not accepted: id-0 (InvalidInput: bad); id-1 ")
    assert "id-19 (InvalidInput: bad)" in message and "id-20" not in message and message.endswith(" and 6 more")
    short = str(FindingsNotAccepted("s3://b/k", failed[:1], unsuppressed))
    assert short.endswith("id-0 (InvalidInput: bad); id-x (not suppressed, Throttled: slow)")
