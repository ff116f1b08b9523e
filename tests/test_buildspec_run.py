"""One stage buildspec run the way CodeBuild runs it, against AWS APIs served by a
moto server on 127.0.0.1: the IaC stage's build commands scan the vulnerable
example into Security Hub with the variables the pipeline sets, the gate decides
the phase's exit code, and post_build archives the output to S3 with SSE-KMS
(raw reports under their tool's folder).

Only the install phase is left out (tests/test_buildspecs.py runs it in a simulation):
the scanners come from this machine's `secpipe tools install` envs instead of a
CodeBuild image, and secpipe is this interpreter's."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest

from pipeline.tools import registry
from tests.aws_files import BUILDSPECS, commands, load_buildspec
from tests.conftest import PROJECT

pytestmark = [pytest.mark.slow, pytest.mark.scanner]

REGION = "us-east-1"
BUILD_ID = "secpipe-iac:0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9"
# What pipeline.yaml's IaC action and project set (the project's values are stack outputs there).
PIPELINE_VARIABLES = {"SECPIPE_REPO": "acme/shop", "SECPIPE_BRANCH": "feature/login",
                      "SECPIPE_COMMIT": "0123456789abcdef0123456789abcdef01234567"}


def _phase_script(buildspec: dict[str, Any], phase: str) -> str:
    return "\n".join(line for p, line in commands(buildspec) if p == phase)


def _venv_bin() -> Path:
    return Path(sys.executable).parent


@pytest.fixture(scope="module")
def stage_run(tmp_path_factory: pytest.TempPathFactory):
    if shutil.which("secpipe", path=str(_venv_bin())) is None:
        pytest.skip(f"no secpipe command beside {sys.executable} (pip install -e . into this interpreter's venv)")
    missing = [name for name in ("checkov", "cfn-lint") if registry.get(name).missing()]
    if missing:
        pytest.skip(f"not installed here: {', '.join(missing)} (secpipe tools install {' '.join(missing)})")
    server_module = pytest.importorskip("moto.server")
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        credentials = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": REGION,
                       "endpoint_url": endpoint}
        key = boto3.client("kms", **credentials).create_key(Description="pipeline key")["KeyMetadata"]
        s3 = boto3.client("s3", **credentials)
        s3.create_bucket(Bucket="secpipe-artifacts")
        securityhub = boto3.client("securityhub", **credentials)
        securityhub.enable_security_hub()

        source = tmp_path_factory.mktemp("codebuild") / "src"
        shutil.copytree(PROJECT / "examples" / "vulnerable-app", source)
        # The install phase fetches the package's archive script into SECPIPE_HOME.
        package_home = source.parent / "secpipe-home"
        package_home.mkdir()
        shutil.copy(BUILDSPECS / "archive-reports.sh", package_home)
        buildspec = load_buildspec("iac.yml")
        env = {
            **os.environ,
            **{k: str(v) for k, v in buildspec["env"]["variables"].items()},
            **PIPELINE_VARIABLES,
            "ARTIFACT_BUCKET": "secpipe-artifacts", "ARTIFACT_KEY_ARN": key["Arn"],
            "CODEBUILD_BUILD_ID": BUILD_ID, "SECPIPE_HOME": str(package_home),
            "AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION,
        }
        env.pop("AWS_PROFILE", None)
        # The install phase puts `secpipe` on PATH; here it is this interpreter's (the venv's),
        # whether or not the venv is activated.
        env["PATH"] = os.pathsep.join([str(_venv_bin()), env.get("PATH", "")])
        # CodeBuild: a failing build phase skips its remaining commands; post_build runs anyway.
        build = subprocess.run(["bash", "-e", "-c", _phase_script(buildspec, "build")], cwd=source, env=env,
                               capture_output=True, text=True, timeout=900)
        yield {"build": build, "env": env, "source": source, "s3": s3, "securityhub": securityhub,
               "key": key, "buildspec": buildspec}
    finally:
        server.stop()


def test_the_gate_is_the_build_phase_exit_code(stage_run: dict[str, Any]) -> None:
    build = stage_run["build"]
    summary = json.loads((stage_run["source"] / "secpipe-out" / "summary.json").read_text())
    assert summary["gate"]["passed"] is False, "the vulnerable template must fail the IaC gate"
    assert build.returncode == 1, build.stderr[-2000:]
    assert "gate: FAILED" in build.stdout


def test_findings_reach_security_hub_with_the_pipelines_scope(stage_run: dict[str, Any]) -> None:
    written = json.loads((stage_run["source"] / "secpipe-out" / "findings.asff.json").read_text())
    assert written, "the scan wrote no findings"
    found = stage_run["securityhub"].get_findings(MaxResults=100)["Findings"]
    assert sorted(f["Id"] for f in found) == sorted(f["Id"] for f in written)
    for finding in found:
        fields = finding["ProductFields"]
        assert fields["secpipe/repo"] == PIPELINE_VARIABLES["SECPIPE_REPO"]
        assert fields["secpipe/branch"] == PIPELINE_VARIABLES["SECPIPE_BRANCH"]
        assert fields["secpipe/commit"] == PIPELINE_VARIABLES["SECPIPE_COMMIT"]
        assert fields["secpipe/build"] == BUILD_ID
        assert finding["ProductArn"] == f"arn:aws:securityhub:{REGION}:123456789012:product/123456789012/default"
    assert {f["ProductFields"]["secpipe/tool"] for f in found} <= {"checkov", "cfn-lint", "cfn-nag"}


def test_post_build_archives_every_output_file_with_sse_kms(stage_run: dict[str, Any]) -> None:
    post = subprocess.run(["bash", "-e", "-c", _phase_script(stage_run["buildspec"], "post_build")],
                          cwd=stage_run["source"], env=stage_run["env"], capture_output=True, text=True, timeout=300)
    assert post.returncode == 0, post.stderr[-2000:]
    prefix = f"reports/acme%2Fshop/feature%2Flogin/{BUILD_ID}/"
    s3 = stage_run["s3"]
    listed = s3.list_objects_v2(Bucket="secpipe-artifacts", Prefix=prefix)["Contents"]
    out = stage_run["source"] / "secpipe-out"
    local = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    keys = sorted(o["Key"].removeprefix(prefix) for o in listed)
    assert len(keys) == len(local)
    assert {"summary.json", "junit.xml", "findings.asff.json", "raw/checkov.json"} <= set(local)
    # The build's files beside the tool folders; each raw report in its tool's folder (pipeline/archive's layout).
    assert {path for path in local if not path.startswith("raw/")} <= set(keys)
    assert "checkov/checkov.json" in keys
    assert {key.split("/")[0] for key in keys if "/" in key} <= {"checkov", "cfn-lint", "cfn-nag"}
    for obj in listed:
        head = s3.head_object(Bucket="secpipe-artifacts", Key=obj["Key"])
        assert head["ServerSideEncryption"] == "aws:kms"
        assert head["SSEKMSKeyId"] == stage_run["key"]["Arn"]
