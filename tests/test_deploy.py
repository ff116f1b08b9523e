"""`secpipe deploy` run as a user runs it, against CloudFormation and S3 on a moto server
on 127.0.0.1: a new stack gets its key and bucket first, then the package, then the full
template, each change set shown before it runs; a dry run shows and runs nothing; the
package's parameters come from its manifest; bad input is one line, exit 2. The template
is pipeline.yaml cut to what moto's CloudFormation creates (tests/moto_templates.py)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import boto3
import pytest

from pipeline.packaging.manifest import MANIFEST_FILE, read_manifest
from tests.aws_files import load_template
from tests.conftest import PROJECT
from tests.moto_templates import moto_subset

REGION = "us-east-1"
PARAMETERS = {
    "ConnectionArn": f"arn:aws:codestar-connections:{REGION}:123456789012:connection/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab",
    "FullRepositoryId": "acme/shop",
    "DastTargetUrl": "https://staging.shop.example.com/",
    "ApprovalEmail": "approver@example.com",
    "ParameterPrefix": "/secpipe/shop",
}


@pytest.fixture(scope="module")
def endpoint():
    server_module = pytest.importorskip("moto.server")
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    _, port = server.get_host_and_port()
    # "localhost": moto reads a TemplateURL's bucket from the path only for that host name.
    yield f"http://localhost:{port}"
    server.stop()


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("package")
    done = subprocess.run([sys.executable, "-m", "pipeline.cli", "package", "--out", str(out)], capture_output=True,
                          text=True, timeout=240, cwd=PROJECT)
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "pipeline.json"
    path.write_text(json.dumps(moto_subset(load_template("pipeline.yaml"))), encoding="utf-8")
    return path


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": REGION})
    return env


def _deploy(endpoint: str, package: Path, template: Path, stack: str, *extra: str,
            parameters: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    pairs = [f"{k}={v}" for k, v in (PARAMETERS if parameters is None else parameters).items()]
    return subprocess.run([sys.executable, "-m", "pipeline.cli", "deploy", "--stack-name", stack, "--package", str(package),
                           "--template", str(template), "--endpoint-url", endpoint, "--region", REGION,
                           "--parameters", *pairs, *extra],
                          capture_output=True, text=True, timeout=300, env=_environment(), cwd=PROJECT)


def _clients(endpoint: str) -> tuple[object, object]:
    credentials = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": REGION,
                   "endpoint_url": endpoint}
    return boto3.client("cloudformation", **credentials), boto3.client("s3", **credentials)


def _stack(endpoint: str, name: str) -> dict:
    cloudformation, _ = _clients(endpoint)
    (stack,) = cloudformation.describe_stacks(StackName=name)["Stacks"]  # type: ignore[attr-defined]
    return stack


def test_a_dry_run_of_a_new_stack_shows_the_plan_and_creates_nothing(endpoint: str, package: Path, template: Path) -> None:
    stack = f"dry-{uuid.uuid4().hex[:8]}"
    done = _deploy(endpoint, package, template, stack, "--dry-run")
    assert done.returncode == 0, done.stderr
    assert f"stack {stack} does not exist" in done.stdout
    assert "create it with PipelineKey, PipelineKeyAlias, ArtifactBucket (change set shown" in done.stdout
    # (moto's CloudFormation has no bucket policies; the real template's bootstrap has ArtifactBucketPolicy too.)
    assert "dry run: nothing created" in done.stdout
    cloudformation, _ = _clients(endpoint)
    with pytest.raises(Exception, match="does not exist"):
        cloudformation.describe_stacks(StackName=stack)  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def deployed(endpoint: str, package: Path, template: Path) -> tuple[str, subprocess.CompletedProcess[str]]:
    stack = f"secpipe-{uuid.uuid4().hex[:8]}"
    return stack, _deploy(endpoint, package, template, stack)


def test_a_new_stack_is_bootstrapped_then_updated_each_change_set_shown(deployed, endpoint: str) -> None:
    stack, done = deployed
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    lines = done.stdout.splitlines()
    create = next(i for i, line in enumerate(lines) if line.startswith("change set ") and "(create of stack" in line)
    update = next(i for i, line in enumerate(lines) if line.startswith("change set ") and "(update of stack" in line)
    upload = next(i for i, line in enumerate(lines) if line.startswith("uploaded "))
    assert create < upload < update, "bucket first, then the package, then the full template"
    shown = [line.split()[1] for line in lines[create + 1:upload] if line.startswith("  Add")]
    assert sorted(shown) == ["ArtifactBucket", "PipelineKey", "PipelineKeyAlias"]
    executing = [i for i, line in enumerate(lines) if line.startswith("executing ")]
    assert len(executing) == 2 and executing[0] > create and executing[1] > update  # shown, then run
    assert _stack(endpoint, stack)["StackStatus"] in ("CREATE_COMPLETE", "UPDATE_COMPLETE")


def test_the_package_is_in_the_bucket_encrypted_and_pinned_by_the_stack(deployed, endpoint: str, package: Path) -> None:
    stack, done = deployed
    assert done.returncode == 0, done.stderr
    manifest = read_manifest(package)
    found = _stack(endpoint, stack)
    cloudformation, _ = _clients(endpoint)
    resources = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in cloudformation.list_stack_resources(  # type: ignore[attr-defined]
        StackName=stack)["StackResourceSummaries"]}
    parameters = {p["ParameterKey"]: p["ParameterValue"] for p in found["Parameters"]}
    assert parameters["WheelSha256"] == manifest.wheel.sha256
    assert parameters["WheelFile"] == manifest.wheel.path
    assert parameters["PackagePrefix"] == manifest.prefix
    assert parameters["FullRepositoryId"] == "acme/shop"
    _, s3 = _clients(endpoint)
    bucket = resources["ArtifactBucket"]
    # The key through its alias (moto's stack listing loses the key's logical id after an update).
    kms = boto3.client("kms", aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION,
                       endpoint_url=endpoint)
    (key_id,) = [a["TargetKeyId"] for a in kms.list_aliases()["Aliases"] if a["AliasName"] == resources["PipelineKeyAlias"]]
    (rule,) = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]  # type: ignore[attr-defined]
    assert rule["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"].endswith(key_id)
    for path in [a.path for a in manifest.artifacts] + [MANIFEST_FILE]:
        head = s3.head_object(Bucket=bucket, Key=f"{manifest.prefix}/{path}")  # type: ignore[attr-defined]
        assert head["ServerSideEncryption"] == "aws:kms"
        assert head["SSEKMSKeyId"].endswith(key_id)
        body = s3.get_object(Bucket=bucket, Key=f"{manifest.prefix}/{path}")["Body"].read()  # type: ignore[attr-defined]
        assert body == (package / path).read_bytes()


def test_a_dry_run_of_a_change_shows_it_and_runs_nothing(deployed, endpoint: str, package: Path, template: Path) -> None:
    stack, first = deployed
    assert first.returncode == 0, first.stderr
    done = _deploy(endpoint, package, template, stack, "--dry-run", parameters={"LogRetentionDays": "30"})
    assert done.returncode == 0, done.stderr
    assert "(update of stack" in done.stdout
    assert "dry run: change set deleted, nothing executed" in done.stdout
    assert "executing " not in done.stdout
    assert "uploaded 0 file(s)" in done.stdout  # the package is not touched by a dry run; the template was there
    parameters = {p["ParameterKey"]: p["ParameterValue"] for p in _stack(endpoint, stack)["Parameters"]}
    assert parameters["LogRetentionDays"] == "365"
    assert parameters["FullRepositoryId"] == "acme/shop"


def test_an_unchanged_file_is_not_uploaded_again(endpoint: str, package: Path, tmp_path: Path) -> None:
    """(A second full deployment cannot run on moto: its CloudFormation loses the KMS key of
    a stack after the first update, so the skip is checked on the upload step itself.)"""
    from pipeline.deploy.upload import package_uploads, upload
    _, s3 = _clients(endpoint)
    bucket = f"upload-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)  # type: ignore[attr-defined]
    uploads = package_uploads(package, read_manifest(package))
    key = "arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab"
    assert upload(s3, bucket, key, uploads) == [item.key for item in uploads]
    assert upload(s3, bucket, key, uploads) == []
    changed = tmp_path / "manifest.json"
    changed.write_text("{}")
    assert upload(s3, bucket, key, [type(uploads[0])(key=uploads[-1].key, file=changed)]) == [uploads[-1].key]


def test_an_update_keeps_every_earlier_value_it_is_not_given() -> None:
    from pipeline.deploy.service import change_set_parameters
    values = change_set_parameters({"LogRetentionDays": "30", "WheelSha256": "b" * 64},
                                   previous={"LogRetentionDays", "FullRepositoryId", "Retired"},
                                   declared={"LogRetentionDays", "FullRepositoryId", "WheelSha256", "BranchName"})
    assert values == [{"ParameterKey": "LogRetentionDays", "ParameterValue": "30"},
                      {"ParameterKey": "WheelSha256", "ParameterValue": "b" * 64},
                      {"ParameterKey": "FullRepositoryId", "UsePreviousValue": True}]


@pytest.mark.parametrize(("parameters", "problem"), [
    ({"WheelSha256": "0" * 64}, "set from the package's manifest.json"),
    ({"NoSuchParameter": "1"}, "the template has no such parameter"),
])
def test_parameters_the_package_sets_or_the_template_lacks_are_refused(endpoint: str, package: Path, template: Path,
                                                                      parameters: dict[str, str], problem: str) -> None:
    done = _deploy(endpoint, package, template, "never-made", parameters={**PARAMETERS, **parameters})
    assert done.returncode == 2
    assert problem in done.stderr and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_a_missing_package_folder_says_how_to_make_one(endpoint: str, template: Path, tmp_path: Path) -> None:
    done = _deploy(endpoint, tmp_path / "nothing", template, "never-made")
    assert done.returncode == 2
    assert "secpipe package --out" in done.stderr and "Traceback" not in done.stderr


def test_the_bootstrap_is_part_of_the_real_template_and_small_enough_to_send_inline() -> None:
    from pipeline.deploy.template import INLINE_TEMPLATE_LIMIT, bootstrap_template
    from pipeline.deploy.template import load_template as load_for_deploy
    full = load_for_deploy(PROJECT / "cloudformation" / "pipeline.yaml")
    bootstrap = bootstrap_template(full)
    assert len(json.dumps(bootstrap, separators=(",", ":"))) < INLINE_TEMPLATE_LIMIT
    for name, resource in bootstrap["Resources"].items():
        assert resource == full["Resources"][name], "the update that follows must leave it unchanged"
    assert set(bootstrap["Parameters"]) <= set(full["Parameters"])
    assert "PackagePrefix" not in bootstrap["Parameters"], "the bootstrap must not need the package"
