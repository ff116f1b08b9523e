"""Where each file of a scan's output folder goes in the archive (pipeline/archive/build_outputs.py),
and `secpipe archive upload` putting them there (against moto's S3)."""
from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from pipeline.archive import BuildFileRef, ReportRef
from pipeline.archive.build_outputs import BuildScope, output_files, raw_report_tool
from pipeline.cli import main
from pipeline.errors import ConfigError
from pipeline.tools import registry
from tests.archive.layout import ref_from_key

SCOPE = BuildScope("acme/shop", "feature/login", "secpipe-sast:1")
TOOLS = {runner.name: runner.parser for runner in registry.runners()}


@pytest.mark.parametrize("filename, tool", [
    ("bandit.json", "bandit"),
    ("npm-audit.2.json", "npm-audit"),
    ("dependency-check-report.xml", "dependency-check"),
    ("sonarqube-quality-gate.json", "sonarqube"),
    ("cfn-nag.json", "cfn-nag"),
    ("cfn-lint.json", "cfn-lint"),
    ("sonar-scanner.log", None),
    ("banditry.json", None),  # a name that merely begins like a tool's is not that tool's
    ("notes.txt", None),
])
def test_a_raw_file_belongs_to_the_tool_its_name_starts_with(filename: str, tool: str | None) -> None:
    assert raw_report_tool(filename, TOOLS) == tool


def test_the_longest_tool_name_wins() -> None:
    assert raw_report_tool("zap-baseline.json", {"zap": "zap", "zap-baseline": "zap-baseline"}) == "zap-baseline"
    assert raw_report_tool("zap.json", {"zap": "zap", "zap-baseline": "zap-baseline"}) == "zap"


def test_every_runner_writes_reports_its_parser_reads() -> None:
    # The archive's tool folder is the parser's name: what `secpipe parse --tool` reads the report with.
    from parsers import registry as parsers
    for parser_name in TOOLS.values():
        assert parsers.get(parser_name).name == parser_name


def _output(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    (out / "raw").mkdir(parents=True)
    (out / "raw" / "semgrep.json").write_text("{}")
    (out / "raw" / "sonar-report-task.txt").write_text("ceTaskId=1")
    (out / "summary.json").write_text("{}")
    (out / "nested").mkdir()
    (out / "nested" / "chart.svg").write_text("<svg/>")
    (out / "raw" / "linked.json").symlink_to(tmp_path / "elsewhere.json")
    (tmp_path / "elsewhere.json").write_text("secret")
    return out


def test_output_files_map_raw_reports_to_tools_and_the_rest_to_the_build(tmp_path: Path) -> None:
    files = {f.path.relative_to(tmp_path / "out").as_posix(): f for f in output_files(_output(tmp_path), SCOPE, TOOLS)}
    assert sorted(files) == ["nested/chart.svg", "raw/semgrep.json", "raw/sonar-report-task.txt", "summary.json"]
    assert files["raw/semgrep.json"].ref == ReportRef(*vars(SCOPE).values(), "semgrep", "semgrep.json")
    assert files["summary.json"].ref == BuildFileRef(*vars(SCOPE).values(), "summary.json")
    prefix = "reports/acme%2Fshop/feature%2Flogin/secpipe-sast:1"
    assert files["nested/chart.svg"].key == f"{prefix}/nested%2Fchart.svg"
    assert files["raw/sonar-report-task.txt"].key == f"{prefix}/raw%2Fsonar-report-task.txt"
    # Only the tool reports are in the tool layout.
    assert [name for name, f in files.items() if ref_from_key(f.key)] == ["raw/semgrep.json"]


def test_an_unusable_scope_or_folder_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="branch"):
        output_files(_output(tmp_path), BuildScope("shop", "..", "1"), TOOLS)
    with pytest.raises(ConfigError, match="not a folder"):
        output_files(tmp_path / "missing", SCOPE, TOOLS)


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch):
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_SESSION_TOKEN": "testing", "AWS_REGION": "eu-west-1"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        client = boto3.client("s3", region_name="eu-west-1")
        client.create_bucket(Bucket="archive", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        yield client


def _upload(out: Path, *extra: str) -> int:
    return main(["archive", "upload", str(out), "--bucket", "archive", "--repo", SCOPE.repo, "--branch", SCOPE.branch,
                 "--build-id", SCOPE.build_id, *extra])


def test_upload_stores_every_file_under_its_key_with_its_checksum(tmp_path: Path, s3, capsys) -> None:
    out = _output(tmp_path)
    assert _upload(out) == 0
    prefix = "reports/acme%2Fshop/feature%2Flogin/secpipe-sast:1"
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket="archive")["Contents"])
    assert keys == sorted(f"{prefix}/{rest}" for rest in ("semgrep/semgrep.json", "raw%2Fsonar-report-task.txt",
                                                          "summary.json", "nested%2Fchart.svg"))
    body = s3.get_object(Bucket="archive", Key=f"{prefix}/semgrep/semgrep.json")
    assert body["Body"].read() == b"{}" and body["ContentType"] == "application/json"
    assert len(body["Metadata"]["sha256"]) == 64
    assert "secpipe: archived 4 file(s), 1 of them tool reports, to s3://archive" in capsys.readouterr().out


def test_upload_with_a_kms_key_encrypts_every_object(tmp_path: Path, s3) -> None:
    key = boto3.client("kms", region_name="eu-west-1").create_key()["KeyMetadata"]["Arn"]
    assert _upload(_output(tmp_path), "--kms-key-id", key) == 0
    for obj in s3.list_objects_v2(Bucket="archive")["Contents"]:
        head = s3.head_object(Bucket="archive", Key=obj["Key"])
        assert head["ServerSideEncryption"] == "aws:kms" and head["SSEKMSKeyId"] == key


def test_upload_of_a_missing_folder_exits_2_with_one_line(tmp_path: Path, s3, capsys) -> None:
    assert _upload(tmp_path / "nope") == 2
    err = capsys.readouterr().err
    assert err == f"secpipe: error: {tmp_path / 'nope'}: not a folder of scan output\n"


def test_an_unusable_branch_uploads_nothing(tmp_path: Path, s3, capsys) -> None:
    out = _output(tmp_path)
    code = main(["archive", "upload", str(out), "--bucket", "archive", "--repo", "shop", "--branch", "..",
                 "--build-id", "1"])
    assert code == 2 and "not a usable archive path part" in capsys.readouterr().err
    assert "Contents" not in s3.list_objects_v2(Bucket="archive")
