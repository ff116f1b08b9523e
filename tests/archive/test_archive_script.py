"""buildspecs/archive-reports.sh run the way post_build runs it, against S3 and KMS on a moto
server on 127.0.0.1: keys in pipeline/archive's layout,
SSE-KMS on every object, a missing setting or a failed upload failing the step."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from pipeline.archive import BuildFileRef, ReportRef
from tests.archive.layout import ref_from_key
from tests.aws_files import BUILDSPECS

REGION = "us-gov-west-1"
BUCKET = "secpipe-artifacts-123"
SETTINGS = {"SECPIPE_REPO": "acme/shop", "SECPIPE_BRANCH": "feature/login", "CODEBUILD_BUILD_ID": "secpipe-sca:0f1e2d3c"}
PREFIX = "reports/acme%2Fshop/feature%2Flogin/secpipe-sca:0f1e2d3c"

# The script calls `secpipe`: this interpreter's (the venv's), on PATH or not.
VENV_BIN = str(Path(sys.executable).parent)
pytestmark = pytest.mark.skipif(shutil.which("secpipe", path=VENV_BIN) is None,
                                reason=f"no secpipe command beside {sys.executable} (pip install -e .)")


@pytest.fixture(scope="module")
def endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws(endpoint: str):
    """A fresh bucket and a KMS key on the shared server; the S3 client to check what landed."""
    credentials = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": REGION,
                   "endpoint_url": endpoint}
    s3 = boto3.client("s3", **credentials)
    bucket = f"{BUCKET}-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    key = boto3.client("kms", **credentials).create_key(Description="pipeline key")["KeyMetadata"]["Arn"]
    return {"s3": s3, "bucket": bucket, "key": key, "endpoint": endpoint}


def _env(aws: dict, **overrides: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    env.update({"AWS_ENDPOINT_URL": aws["endpoint"], "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_REGION": REGION, "ARTIFACT_BUCKET": aws["bucket"], "ARTIFACT_KEY_ARN": aws["key"], **SETTINGS})
    env["PATH"] = os.pathsep.join([VENV_BIN, env.get("PATH", "")])
    env.update(overrides)
    return env


def _run(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(BUILDSPECS / "archive-reports.sh"), "secpipe-out"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)


def _scan_output(tmp_path: Path) -> Path:
    """What `secpipe scan --stages sca` leaves: raw reports (two of one tool), a scanner's log, the build's files."""
    out = tmp_path / "secpipe-out"
    (out / "raw").mkdir(parents=True)
    for name, text in {"raw/pip-audit.json": '{"dependencies": []}', "raw/npm-audit.json": "{}",
                       "raw/npm-audit.2.json": "{}", "raw/dependency-check-report.json": "{}",
                       "raw/dependency-check-report.xml": "<analysis/>", "raw/sonar-scanner.log": "INFO",
                       "summary.json": "{}", "report.html": "<html></html>", "findings.asff.json": "[]"}.items():
        (out / name).write_text(text, encoding="utf-8")
    return out


def _keys(aws: dict) -> list[str]:
    listed = aws["s3"].list_objects_v2(Bucket=aws["bucket"]).get("Contents", [])
    return sorted(obj["Key"] for obj in listed)


def test_raw_reports_go_under_their_tool_and_the_build_files_beside_them(tmp_path: Path, aws: dict) -> None:
    _scan_output(tmp_path)
    done = _run(tmp_path, _env(aws))
    assert done.returncode == 0, done.stderr
    assert _keys(aws) == sorted(f"{PREFIX}/{rest}" for rest in (
        "pip-audit/pip-audit.json", "npm-audit/npm-audit.json", "npm-audit/npm-audit.2.json",
        "dependency-check/dependency-check-report.json", "dependency-check/dependency-check-report.xml",
        "raw%2Fsonar-scanner.log",  # no tool's name starts it: kept with the build's files, never read as a report
        "summary.json", "report.html", "findings.asff.json"))
    # The same keys pipeline.archive gives, so there is one layout.
    assert f"{PREFIX}/pip-audit/pip-audit.json" == ReportRef(*SETTINGS.values(), "pip-audit", "pip-audit.json").key
    assert f"{PREFIX}/report.html" == BuildFileRef(*SETTINGS.values(), "report.html").key
    for key in _keys(aws):
        head = aws["s3"].head_object(Bucket=aws["bucket"], Key=key)
        assert head["ServerSideEncryption"] == "aws:kms" and head["SSEKMSKeyId"] == aws["key"]
    assert f"s3://{aws['bucket']}/{PREFIX}/pip-audit/pip-audit.json" in done.stdout


def test_the_keys_read_back_as_tool_repo_branch_and_build(tmp_path: Path, aws: dict) -> None:
    _scan_output(tmp_path)
    assert _run(tmp_path, _env(aws)).returncode == 0
    read = {key: ref_from_key(key) for key in _keys(aws)}
    raw = read[f"{PREFIX}/npm-audit/npm-audit.2.json"]
    assert raw == ReportRef(repo="acme/shop", branch="feature/login", build_id="secpipe-sca:0f1e2d3c",
                            tool="npm-audit", filename="npm-audit.2.json")
    assert read[f"{PREFIX}/pip-audit/pip-audit.json"].tool == "pip-audit"
    # The build's own files are not in the tool layout: nothing reads report.html as a tool's report.
    assert read[f"{PREFIX}/report.html"] is None
    assert read[f"{PREFIX}/raw%2Fsonar-scanner.log"] is None
    assert {ref.tool for ref in read.values() if ref} == {"pip-audit", "npm-audit", "dependency-check"}


@pytest.mark.parametrize("missing", ["SECPIPE_REPO", "SECPIPE_BRANCH", "CODEBUILD_BUILD_ID", "ARTIFACT_BUCKET",
                                     "ARTIFACT_KEY_ARN"])
def test_a_missing_setting_fails_before_anything_is_uploaded(tmp_path: Path, aws: dict, missing: str) -> None:
    _scan_output(tmp_path)
    env = _env(aws)
    del env[missing]
    done = _run(tmp_path, env)
    assert done.returncode != 0 and missing in done.stderr
    assert _keys(aws) == []


def test_a_failed_upload_fails_the_step_with_one_line(tmp_path: Path, aws: dict) -> None:
    _scan_output(tmp_path)
    done = _run(tmp_path, _env(aws, ARTIFACT_BUCKET="no-such-bucket"))
    assert done.returncode == 1
    assert done.stderr.startswith("secpipe: error: cannot archive ") and "NoSuchBucket" in done.stderr
    assert done.stderr.count("\n") == 1


def test_without_output_it_says_so_and_uploads_nothing(tmp_path: Path, aws: dict) -> None:
    done = _run(tmp_path, _env(aws))
    assert done.returncode == 0 and "nothing to archive" in done.stdout
    assert _keys(aws) == []
