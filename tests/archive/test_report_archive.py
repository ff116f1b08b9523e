from __future__ import annotations

from pathlib import Path

import pytest
from moto.server import ThreadedMotoServer

from pipeline.archive import DirArchive, ReportRef, S3Archive
from pipeline.archive.s3 import ArchiveError
from pipeline.aws import AwsSettings, make_client, make_session
from pipeline.errors import ConfigError

REPORT = b'{"results": [{"test_id": "B101"}]}\n'
REF = ReportRef(repo="demo", branch="feature/login", build_id="proj:1234-abcd", tool="bandit", filename="bandit.json")


def test_key_layout_is_unambiguous():
    assert REF.key == "reports/demo/feature%2Flogin/proj:1234-abcd/bandit/bandit.json"
    other = ReportRef("demo/feature", "login", "proj:1234-abcd", "bandit", "bandit.json")
    assert other.key != REF.key


@pytest.mark.parametrize("field, value", [("repo", ".."), ("branch", ""), ("filename", "  "), ("tool", ".")])
def test_unusable_parts_are_refused(field, value):
    values = {"repo": "demo", "branch": "main", "build_id": "1", "tool": "bandit", "filename": "r.json", field: value}
    with pytest.raises(ConfigError):
        _ = ReportRef(**values).key


def test_dir_archive_round_trip(tmp_path):
    archive = DirArchive(tmp_path)
    stored = archive.store(REF, REPORT)
    path = tmp_path / "reports" / "demo" / "feature%2Flogin" / "proj:1234-abcd" / "bandit" / "bandit.json"
    assert stored.location == str(path) and path.read_bytes() == REPORT
    assert stored.size == len(REPORT)
    assert archive.fetch(REF) == REPORT
    assert [p.name for p in path.parent.iterdir()] == ["bandit.json"]  # no partial files left


def test_traversal_in_filename_stays_inside(tmp_path):
    ref = ReportRef("demo", "main", "1", "bandit", "../../../escape.json")
    stored = DirArchive(tmp_path / "root").store(ref, REPORT)
    assert (tmp_path / "root").resolve() in Path(stored.location).resolve().parents
    assert not (tmp_path / "escape.json").exists()


@pytest.fixture(scope="module")
def moto_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def clients(endpoint):
    session = make_session(AwsSettings(region="eu-west-1", loopback_credentials=True))
    return make_client(session, "s3", endpoint_url=endpoint), make_client(session, "kms", endpoint_url=endpoint)


def test_s3_archive_with_kms(moto_endpoint):
    s3, kms = clients(moto_endpoint)
    s3.create_bucket(Bucket="reports-kms", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    key_id = kms.create_key(Description="secpipe reports")["KeyMetadata"]["KeyId"]
    archive = S3Archive(s3, "reports-kms", kms_key_id=key_id)
    stored = archive.store(REF, REPORT)
    assert stored.location == f"s3://reports-kms/{REF.key}"
    head = s3.head_object(Bucket="reports-kms", Key=REF.key)
    assert head["ServerSideEncryption"] == "aws:kms"
    assert key_id in head["SSEKMSKeyId"]
    assert head["Metadata"]["sha256"] == stored.sha256
    assert head["ContentType"] == "application/json"
    assert archive.fetch(REF) == REPORT


def test_s3_archive_without_key_leaves_encryption_to_the_bucket(moto_endpoint):
    s3, _ = clients(moto_endpoint)
    s3.create_bucket(Bucket="reports-plain", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    S3Archive(s3, "reports-plain").store(REF, REPORT)
    head = s3.head_object(Bucket="reports-plain", Key=REF.key)
    assert head.get("ServerSideEncryption") != "aws:kms"
    assert s3.get_object(Bucket="reports-plain", Key=REF.key)["Body"].read() == REPORT


def test_s3_archive_missing_bucket_is_one_clear_error(moto_endpoint):
    s3, _ = clients(moto_endpoint)
    with pytest.raises(ArchiveError, match="s3://no-such-bucket/reports/demo"):
        S3Archive(s3, "no-such-bucket").store(REF, REPORT)
