"""The templates this project deploys for the scan pipeline (pipeline.yaml, securityhub.yaml;
the remediation templates have their own tests): cfn-lint clean, checkov clean (skips only
inline with a reason), the project's own IaC scan passes its gate, least-privilege IAM
(no `*` action, Security Hub limited to importing, reading and suppressing, reports only
under reports/<repo>/<branch>/), every ARN built from ${AWS::Partition}, CodeBuild running
the security team's package (buildspecs and a sha256-pinned wheel from the artifact bucket),
the central policy in SSM under the pipeline's prefix, the pipeline's shape (parallel scans,
optional staging deploy and DAST, approval email then manual approval, production or none,
optionally in other accounts), governance (trail, alarms, Config rules, state-change
emails), Retain on what keeps evidence, and a moto deployment of the resources moto can
create, checked on the result."""
from __future__ import annotations

import ast
import fnmatch
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest

from pipeline.archive.base import encode_part
from pipeline.policy_floor import CENTRAL_POLICY_ENV, CENTRAL_POLICY_SOURCE_ENV, parse_central_policy
from pipeline.tools.locate import find_executable
from tests.aws_files import (
    ALL_BUILDSPECS,
    BUILDSPECS,
    STAGE_BUILDSPECS,
    TEMPLATES,
    as_list,
    branches,
    commands,
    load_buildspec,
    load_template,
    policy_statements,
    variables_used,
    walk,
)
from tests.moto_templates import moto_subset as _moto_subset
from tests.moto_templates import moto_types as _moto_types

TEMPLATE_NAMES = ["pipeline.yaml", "securityhub.yaml"]
STAGE_PROJECTS = {"sca": "ScaProject", "sast": "SastProject", "iac": "IacProject", "dast": "DastProject"}
PROJECT_ROLES = {"ScaProject": "ScaBuildRole", "SastProject": "SastBuildRole", "IacProject": "IacBuildRole",
                 "DastProject": "DastBuildRole", "ApprovalProject": "ApprovalBuildRole"}
SCAN_ROLES = [role for project, role in PROJECT_ROLES.items() if project != "ApprovalProject"]
# Variables CodeBuild itself sets (or the image has) that the buildspecs read.
CODEBUILD_VARIABLES = {"CODEBUILD_BUILD_ID", "PATH"}
REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's account
DEPLOY_PARAMETERS = {
    "ConnectionArn": f"arn:aws:codestar-connections:{REGION}:{ACCOUNT}:connection/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab",
    "FullRepositoryId": "acme/shop",
    "BranchName": "feature/login",
    "DastTargetUrl": "https://staging.shop.example.com/",
    "ApprovalEmail": "approver@example.com",
    "PackagePrefix": "packages/0.1.0-0123456789abcdef",
    "WheelFile": "secpipe-0.1.0-py3-none-any.whl",
    "WheelSha256": "a" * 64,
    "ParameterPrefix": "/secpipe/shop",
}
PRODUCT = "arn:${AWS::Partition}:securityhub:${AWS::Region}:${AWS::AccountId}:product/${AWS::AccountId}/default"
HUB = "arn:${AWS::Partition}:securityhub:${AWS::Region}:${AWS::AccountId}:hub/default"


@pytest.fixture(scope="module")
def pipeline() -> dict[str, Any]:
    return load_template("pipeline.yaml")


def _resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def _pipeline_actions(template: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Stage name -> its actions (both branches of a conditional stage or action)."""
    (pipeline,) = _resources(template, "AWS::CodePipeline::Pipeline").values()
    stages = {}
    for stage in pipeline["Properties"]["Stages"]:
        for concrete in branches(stage):
            stages[concrete["Name"]] = [a for action in concrete["Actions"] for a in branches(action)]
    return stages


def _sub_text(value: Any) -> str | None:
    """The format string of a !Sub (either form), or a plain string."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Fn::Sub" in value:
        sub = value["Fn::Sub"]
        return sub if isinstance(sub, str) else sub[0]
    return None


def _statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [concrete for statement in document["Statement"] for concrete in branches(statement)]


def _inline(template: dict[str, Any], role: str) -> list[dict[str, Any]]:
    (policy,) = template["Resources"][role]["Properties"]["Policies"]
    return _statements(policy["PolicyDocument"])


def _managed_for(template: dict[str, Any], role: str) -> list[dict[str, Any]]:
    """Statements of the managed policies this template attaches to `role`."""
    found = []
    for policy in _resources(template, "AWS::IAM::ManagedPolicy").values():
        roles = [r for entry in policy["Properties"]["Roles"] for r in branches(entry)]
        if {"Ref": role} in roles:
            found += _statements(policy["Properties"]["PolicyDocument"])
    return found


def _granted(template: dict[str, Any], role: str) -> list[dict[str, Any]]:
    return _inline(template, role) + _managed_for(template, role)


def _allows(statements: list[dict[str, Any]], action: str) -> list[dict[str, Any]]:
    return [s for s in statements if s["Effect"] == "Allow" and action in as_list(s["Action"])]


# --- lint and scanners -------------------------------------------------------------------


def _cfn_lint(path: Path) -> list[str]:
    """cfn-lint's complaints about a template: the pinned scanner env's CLI (secpipe tools
    install cfn-lint), else the cfnlint package's API; skipped when neither is here."""
    program = find_executable("cfn-lint")
    if program is not None:
        done = subprocess.run([str(program), "--format", "parseable", str(path)], capture_output=True, text=True,
                              timeout=300)
        assert done.returncode in (0, 2, 4, 6, 8, 10, 12, 14), done.stderr  # odd codes: cfn-lint itself failed
        return done.stdout.splitlines()
    api = pytest.importorskip("cfnlint.api", reason="cfn-lint is not installed (secpipe tools install cfn-lint)")
    return [str(match) for match in api.lint_file(path)]


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_template_is_cfn_lint_clean(name: str) -> None:
    assert _cfn_lint(TEMPLATES / name) == []  # errors and warnings alike


def test_cfn_lint_does_see_a_broken_template(tmp_path: Path) -> None:
    """The clean result above means something: the same call reports a damaged copy."""
    broken = (TEMPLATES / "pipeline.yaml").read_text(encoding="utf-8").replace(
        "EnableKeyRotation: true", "EnableKeyRotation: true\n      RotateEvery: yes", 1)
    (tmp_path / "broken.yaml").write_text(broken, encoding="utf-8")
    assert any("RotateEvery" in line for line in _cfn_lint(tmp_path / "broken.yaml"))


@pytest.mark.scanner
@pytest.mark.slow
def test_checkov_finds_nothing_unjustified(tmp_path: Path) -> None:
    checkov = find_executable("checkov")
    if checkov is None:
        pytest.skip("checkov is not installed (secpipe tools install checkov)")
    files = [arg for name in TEMPLATE_NAMES for arg in ("-f", str(TEMPLATES / name))]
    done = subprocess.run([str(checkov), *files, "--framework", "cloudformation", "--skip-download",
                           "--output", "json", "--compact"], capture_output=True, text=True, timeout=600,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "BC_SKIP_MAPPING": "TRUE",
                               "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"})
    report = json.loads(done.stdout)
    for run in as_list(report):
        results = run["results"]
        assert run["summary"]["passed"] > 0, "checkov checked nothing"
        assert [(c["check_id"], c["resource"]) for c in results["failed_checks"]] == []
        for skipped in results["skipped_checks"]:
            reason = skipped["check_result"].get("suppress_comment") or ""
            assert len(reason) > 40, f"{skipped['check_id']} skipped without a reason"


@pytest.mark.scanner
@pytest.mark.slow
def test_the_projects_own_iac_scan_of_cloudformation_passes_its_gate(tmp_path: Path) -> None:
    """`secpipe scan --stages iac` of cloudformation/ (every template there, the remediation
    ones too), as the IaC stage would scan it."""
    if find_executable("checkov") is None or find_executable("cfn-lint") is None:
        pytest.skip("checkov and cfn-lint are not both installed (secpipe tools install checkov cfn-lint)")
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("AWS_", "SECPIPE_CENTRAL"))}
    env["SECPIPE_HUB_DB"] = str(tmp_path / "hub.sqlite3")
    done = subprocess.run([sys.executable, "-m", "pipeline.cli", "scan", str(TEMPLATES), "--stages", "iac",
                           "--out", str(tmp_path / "out"), "--repo", "secpipe", "--branch", "main"],
                          capture_output=True, text=True, timeout=600, env=env)
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert summary["gate"]["passed"] is True
    # Both ran to the end ("findings": checkov's inline skips are kept, as suppressed findings).
    assert {run["tool"] for run in summary["runs"] if run["status"] in ("passed", "findings")} >= {"checkov", "cfn-lint"}


# --- IAM: least privilege, partition ------------------------------------------------------


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_no_allow_statement_grants_every_action_or_a_whole_service(name: str) -> None:
    for where, statement in policy_statements(load_template(name)):
        if statement["Effect"] != "Allow":
            continue  # a Deny on s3:* (the TLS rule) narrows, it does not grant
        for action in as_list(statement.get("Action", [])):
            assert action != "*", f"{where}: Action *"
            assert not re.fullmatch(r"[a-z0-9-]+:\*", action), f"{where}: service-wide {action}"
        assert "NotAction" not in statement, f"{where}: NotAction grants everything else"


def test_role_policies_name_their_resources(pipeline: dict[str, Any]) -> None:
    """Resource * only where AWS offers nothing narrower: ec2:Describe* (no resource-level
    permissions) and the Deny statements that narrow Security Hub updates."""
    documents = [p["PolicyDocument"] for r in _resources(pipeline, "AWS::IAM::Role").values()
                 for p in r["Properties"].get("Policies", [])]
    documents += [p["Properties"]["PolicyDocument"] for p in _resources(pipeline, "AWS::IAM::ManagedPolicy").values()]
    assert len(documents) >= 9
    for document in documents:
        for statement in _statements(document):
            if "*" not in as_list(statement["Resource"]):
                continue
            actions = as_list(statement["Action"])
            assert statement["Effect"] == "Deny" or all(a.startswith("ec2:Describe") for a in actions), statement


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_every_arn_takes_its_partition_from_the_stack(name: str) -> None:
    template = load_template(name)
    found = 0
    for path, node in walk({"Resources": template["Resources"], "Outputs": template.get("Outputs", {})}):
        if isinstance(node, str) and "arn:" in node:
            found += node.count("arn:")
            bad = re.findall(r"arn:(?!\$\{AWS::Partition\}:)[^\s\"']*", node)
            assert not bad, f"{path}: {bad} does not use ${{AWS::Partition}}"
    assert found, "no ARN at all: the walk found nothing to check"


def test_scans_import_read_and_only_suppress_this_accounts_findings(pipeline: dict[str, Any]) -> None:
    for role in SCAN_ROLES:
        statements = _granted(pipeline, role)
        (imported,) = _allows(statements, "securityhub:BatchImportFindings")
        assert _sub_text(imported["Resource"]) == PRODUCT
        assert imported["Condition"] == {"StringEquals": {"securityhub:TargetAccount": {"Ref": "AWS::AccountId"}}}
        (read,) = _allows(statements, "securityhub:GetFindings")
        assert _sub_text(read["Resource"]) == HUB
        (update,) = _allows(statements, "securityhub:BatchUpdateFindings")
        assert _sub_text(update["Resource"]) == HUB
        # Only a Workflow change, and only to SUPPRESSED, with secpipe's note (pipeline/sinks/suppression.py).
        from pipeline.sinks.suppression import UPDATED_BY
        assert update["Condition"]["Null"] == {"securityhub:ASFFSyntaxPath/Workflow.Status": "false"}
        assert update["Condition"]["ForAllValues:StringEquals"] == {
            "securityhub:ASFFSyntaxPath/Workflow.Status": ["SUPPRESSED"],
            "securityhub:ASFFSyntaxPath/Note.UpdatedBy": [UPDATED_BY]}
        denied = {key for s in statements if s["Effect"] == "Deny" and "securityhub:BatchUpdateFindings" in as_list(s["Action"])
                  for key, value in s["Condition"]["Null"].items() if value == "false"}
        assert denied == {f"securityhub:ASFFSyntaxPath/{field}" for field in (
            "Confidence", "Criticality", "Severity.Label", "Severity.Normalized", "Severity.Product", "Types",
            "VerificationState", "RelatedFindings.Id")}
        assert not [a for s in statements for a in as_list(s["Action"])
                    if a.startswith("securityhub:") and a not in {"securityhub:BatchImportFindings",
                                                                  "securityhub:GetFindings",
                                                                  "securityhub:BatchUpdateFindings"}]
    assert not [s for s in _granted(pipeline, "ApprovalBuildRole")
                if any(a.startswith("securityhub:") for a in as_list(s["Action"]))], "the email needs no Security Hub"


def _resolve_key_part(node: Any, values: dict[str, str]) -> str:
    """Evaluate the Join/Split/If/Ref expression of a key part for parameter `values`."""
    if isinstance(node, str):
        return node
    if "Ref" in node:
        return values[node["Ref"]]
    if "Fn::If" in node:
        condition, yes, _ = node["Fn::If"]
        assert condition == "UseCodeStar"
        return _resolve_key_part(yes, values)
    if "Fn::Join" in node:
        separator, parts = node["Fn::Join"]
        if isinstance(parts, dict):  # !Join [sep, !Split [...]]
            parts = _resolve_list(parts, values)
        return separator.join(_resolve_key_part(p, values) for p in parts)
    raise AssertionError(f"unexpected {node}")


def _resolve_list(node: dict[str, Any], values: dict[str, str]) -> list[str]:
    separator, value = node["Fn::Split"]
    return _resolve_key_part(value, values).split(separator)


@pytest.mark.parametrize(("repo", "branch"), [("acme/shop", "main"), ("acme/shop", "feature/login"),
                                              ("team.a/app_1", "release/2027.1/rc-1")])
def test_reports_are_written_only_under_reports_repo_branch(pipeline: dict[str, Any], repo: str, branch: str) -> None:
    """The permission's key is built the way pipeline/archive encodes repo and branch."""
    assert re.fullmatch(pipeline["Parameters"]["BranchName"]["AllowedPattern"], branch)
    for role in SCAN_ROLES:
        writes = [s for s in _allows(_granted(pipeline, role), "s3:PutObject")]
        texts = [_sub_text(s["Resource"]) for s in writes]
        assert sorted(texts) == ["${ArtifactBucket.Arn}/${PipelineName}/*",
                                 "${ArtifactBucket.Arn}/reports/${RepoKey}/${BranchKey}/*"], role
        (archive,) = [s for s in writes if "reports/" in _sub_text(s["Resource"])]
        parts = archive["Resource"]["Fn::Sub"][1]
        values = {"FullRepositoryId": repo, "BranchName": branch}
        assert _resolve_key_part(parts["RepoKey"], values) == encode_part("repo", repo)
        assert _resolve_key_part(parts["BranchKey"], values) == encode_part("branch", branch)
    # Nothing may write the package the builds install.
    for name in _resources(pipeline, "AWS::IAM::Role"):
        for statement in _granted(pipeline, name):
            if statement["Effect"] == "Allow" and "s3:PutObject" in as_list(statement["Action"]):
                assert "PackagePrefix" not in json.dumps(statement["Resource"]), f"{name} may overwrite the package"


def test_every_build_reads_the_package_and_only_it(pipeline: dict[str, Any]) -> None:
    for role in PROJECT_ROLES.values():
        reads = [_sub_text(s["Resource"]) for s in _allows(_granted(pipeline, role), "s3:GetObject")]
        assert "${ArtifactBucket.Arn}/${PackagePrefix}/*" in reads, role


def test_secrets_and_the_central_policy_come_from_the_pipelines_ssm_prefix(pipeline: dict[str, Any]) -> None:
    """Each PARAMETER_STORE variable of a project is a parameter under ParameterPrefix, and
    its role may read exactly those."""
    arn_prefix = "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter"
    for project_name, role in PROJECT_ROLES.items():
        from_ssm = {}
        for entry in pipeline["Resources"][project_name]["Properties"]["Environment"]["EnvironmentVariables"]:
            for variable in branches(entry):
                if variable.get("Type") == "PARAMETER_STORE":
                    value = variable["Value"]
                    from_ssm[variable["Name"]] = ("${ParameterPrefix}/central-policy"
                                                  if value == {"Ref": "CentralPolicyParameter"} else _sub_text(value))
        granted = {_sub_text(s["Resource"]).removeprefix(arn_prefix)
                   for s in _allows(_granted(pipeline, role), "ssm:GetParameters")}
        assert granted == set(from_ssm.values()), project_name
        assert all(name.startswith("${ParameterPrefix}/") for name in from_ssm.values())
        if project_name != "ApprovalProject":
            assert from_ssm[CENTRAL_POLICY_ENV] == "${ParameterPrefix}/central-policy"
    assert {"NVD_API_KEY"} <= {v["Name"] for v in pipeline["Resources"]["ScaProject"]["Properties"]["Environment"][
        "EnvironmentVariables"] if v.get("Type") == "PARAMETER_STORE"}
    parameter = pipeline["Resources"]["CentralPolicyParameter"]["Properties"]
    assert parameter["Name"] == {"Fn::Sub": "${ParameterPrefix}/central-policy"}
    assert parameter["Value"] == {"Ref": "CentralPolicy"}
    assert pipeline["Parameters"]["ParameterPrefix"]["Default"].startswith("/secpipe/")


def test_the_sonarqube_token_is_needed_only_with_sonarqube(pipeline: dict[str, Any]) -> None:
    (token,) = [entry for entry in pipeline["Resources"]["SastProject"]["Properties"]["Environment"]["EnvironmentVariables"]
                if "Fn::If" in entry]
    condition, variable, otherwise = token["Fn::If"]
    assert condition == "UseSonarQube" and otherwise == {"Ref": "AWS::NoValue"}
    assert variable["Name"] == "SONAR_TOKEN" and variable["Type"] == "PARAMETER_STORE"
    (grant,) = [s for s in pipeline["Resources"]["SastBuildRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
                if "Fn::If" in s]
    assert grant["Fn::If"][0] == "UseSonarQube" and grant["Fn::If"][2] == {"Ref": "AWS::NoValue"}
    assert pipeline["Conditions"]["UseSonarQube"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "SonarHostUrl"}, ""]}]}


def test_the_default_central_policy_is_a_valid_floor(pipeline: dict[str, Any]) -> None:
    default = pipeline["Parameters"]["CentralPolicy"]["Default"]
    central = parse_central_policy(default, "the template's default")
    assert central.floor.default.fail_on is not None
    assert central.floor.incomplete == "fail"


# --- storage, keys, topics, retention -----------------------------------------------------


def test_one_rotating_key_encrypts_artifacts_logs_topics_trail_and_builds(pipeline: dict[str, Any]) -> None:
    (key_name, key), = _resources(pipeline, "AWS::KMS::Key").items()
    assert key["Properties"]["EnableKeyRotation"] is True
    key_arn = {"Fn::GetAtt": [key_name, "Arn"]}
    for bucket_name in ("ArtifactBucket", "GovernanceBucket"):
        bucket = pipeline["Resources"][bucket_name]["Properties"]
        (rule,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert rule["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn}
        assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
        assert bucket["PublicAccessBlockConfiguration"] == {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                                            "IgnorePublicAcls": True, "RestrictPublicBuckets": True}
    for topic in _resources(pipeline, "AWS::SNS::Topic").values():
        assert topic["Properties"]["KmsMasterKeyId"] == {"Ref": key_name}
    for group in _resources(pipeline, "AWS::Logs::LogGroup").values():
        assert group["Properties"]["KmsKeyId"] == key_arn
    for project in _resources(pipeline, "AWS::CodeBuild::Project").values():
        assert project["Properties"]["EncryptionKey"] == key_arn
    (codepipeline,) = _resources(pipeline, "AWS::CodePipeline::Pipeline").values()
    assert codepipeline["Properties"]["ArtifactStore"]["EncryptionKey"] == {"Type": "KMS", "Id": key_arn}
    assert pipeline["Resources"]["Trail"]["Properties"]["KMSKeyId"] == key_arn


def test_key_buckets_and_log_groups_are_retained(pipeline: dict[str, Any]) -> None:
    kept = [name for name, r in pipeline["Resources"].items()
            if r["Type"] in ("AWS::KMS::Key", "AWS::S3::Bucket", "AWS::Logs::LogGroup")]
    assert {"PipelineKey", "ArtifactBucket", "GovernanceBucket", "TrailLogGroup"} <= set(kept)
    for name in kept:
        resource = pipeline["Resources"][name]
        assert (resource.get("DeletionPolicy"), resource.get("UpdateReplacePolicy")) == ("Retain", "Retain"), name


def test_approval_and_notification_topics_have_email_subscriptions(pipeline: dict[str, Any]) -> None:
    subscriptions = {s["Properties"]["TopicArn"]["Ref"]: s["Properties"]
                     for s in _resources(pipeline, "AWS::SNS::Subscription").values()}
    assert subscriptions["ApprovalTopic"] == {"TopicArn": {"Ref": "ApprovalTopic"}, "Protocol": "email",
                                              "Endpoint": {"Ref": "ApprovalEmail"}}
    assert subscriptions["NotificationTopic"]["Protocol"] == "email"
    assert subscriptions["NotificationTopic"]["Endpoint"] == {
        "Fn::If": ["SeparateNotificationEmail", {"Ref": "NotificationEmail"}, {"Ref": "ApprovalEmail"}]}
    assert "Default" not in pipeline["Parameters"]["ApprovalEmail"]


# --- CodeBuild projects and the buildspecs --------------------------------------------------


def test_every_project_runs_a_buildspec_of_the_package_with_the_pinned_wheel(pipeline: dict[str, Any]) -> None:
    projects = _resources(pipeline, "AWS::CodeBuild::Project")
    assert set(projects) == set(PROJECT_ROLES)
    used = set()
    for name, project in projects.items():
        props = project["Properties"]
        spec = _sub_text(props["Source"]["BuildSpec"])
        found = re.fullmatch(r"arn:\$\{AWS::Partition\}:s3:::\$\{ArtifactBucket\}/\$\{PackagePrefix\}/buildspecs/(\w+\.yml)",
                             spec)
        assert found, f"{name}: {spec} is not a buildspec of the package in the artifact bucket"
        assert (BUILDSPECS / found.group(1)).is_file()
        used.add(found.group(1))
        variables = {v["Name"]: v.get("Value") for entry in props["Environment"]["EnvironmentVariables"]
                     for v in branches(entry)}
        assert variables["SECPIPE_WHEEL_SHA256"] == {"Ref": "WheelSha256"}
        assert variables["SECPIPE_WHEEL"] == {"Ref": "WheelFile"}
        assert variables["SECPIPE_PACKAGE_PREFIX"] == {"Ref": "PackagePrefix"}
        assert props["ServiceRole"] == {"Fn::GetAtt": [PROJECT_ROLES[name], "Arn"]}
        assert props["Environment"]["PrivilegedMode"] is False
        logs = props["LogsConfig"]["CloudWatchLogs"]
        assert logs["Status"] == "ENABLED"
        group = logs["GroupName"]["Ref"]
        (log_statement,) = _allows(_granted(pipeline, PROJECT_ROLES[name]), "logs:PutLogEvents")
        assert _sub_text(log_statement["Resource"]) == f"${{{group}.Arn}}:*"
    assert used == set(ALL_BUILDSPECS)
    assert pipeline["Parameters"]["WheelSha256"]["AllowedPattern"] == "^[0-9a-f]{64}$"


def test_scan_projects_pass_the_central_policy_under_the_names_secpipe_reads(pipeline: dict[str, Any]) -> None:
    for project in STAGE_PROJECTS.values():
        variables = {v["Name"]: v for entry in pipeline["Resources"][project]["Properties"]["Environment"]["EnvironmentVariables"]
                     for v in branches(entry)}
        assert variables[CENTRAL_POLICY_ENV] == {"Name": CENTRAL_POLICY_ENV, "Type": "PARAMETER_STORE",
                                                 "Value": {"Ref": "CentralPolicyParameter"}}
        assert _sub_text(variables[CENTRAL_POLICY_SOURCE_ENV]["Value"]) == "ssm:${ParameterPrefix}/central-policy"


def test_report_groups_are_the_ones_codebuild_uses_for_the_buildspec_reports(pipeline: dict[str, Any]) -> None:
    groups = {r["Properties"]["Name"]["Fn::Sub"]: name for name, r in _resources(pipeline, "AWS::CodeBuild::ReportGroup").items()}
    for stage, project_name in STAGE_PROJECTS.items():
        project = pipeline["Resources"][project_name]["Properties"]
        (report,) = load_buildspec(STAGE_BUILDSPECS[stage])["reports"]
        # CodeBuild files a buildspec report named R of project P under the group "P-R".
        group_name = f"{project['Name']['Fn::Sub']}-{report}"
        assert group_name in groups, f"{stage}: no report group {group_name}"
        (reports,) = _allows(_inline(pipeline, PROJECT_ROLES[project_name]), "codebuild:BatchPutTestCases")
        assert reports["Resource"] == {"Fn::GetAtt": [groups[group_name], "Arn"]}


def _action_variables(action: dict[str, Any]) -> set[str]:
    names = set()
    for value in branches(action["Configuration"].get("EnvironmentVariables", "[]")):
        text = _sub_text(value)
        document = json.loads(re.sub(r"\$\{[^}]+\}", "x", text))
        assert all(v["type"] == "PLAINTEXT" for v in document), "secrets never travel as plaintext action variables"
        names |= {v["name"] for v in document}
    return names


def _assigned(line: str) -> set[str]:
    """Shell variables a command sets itself (export, assignment, for loop, +=)."""
    return set(re.findall(r"(?:^|[\s;(])(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\+?=", line)) | set(
        re.findall(r"\bfor\s+([A-Za-z_][A-Za-z0-9_]*)\s+in\b", line))


def test_every_variable_a_buildspec_reads_is_set(pipeline: dict[str, Any]) -> None:
    actions = {a["Configuration"].get("ProjectName", {}).get("Ref"): a
               for stage_actions in _pipeline_actions(pipeline).values() for a in stage_actions}
    for project_name, project in _resources(pipeline, "AWS::CodeBuild::Project").items():
        buildspec = load_buildspec(Path(_sub_text(project["Properties"]["Source"]["BuildSpec"])).name)
        defined = set((buildspec.get("env") or {}).get("variables") or {}) | CODEBUILD_VARIABLES
        defined |= {v["Name"] for entry in project["Properties"]["Environment"]["EnvironmentVariables"]
                    for v in branches(entry)}
        action = actions[project_name]
        defined |= _action_variables(action)
        defined |= {f"CODEBUILD_SRC_DIR_{a['Name']}" for entry in action.get("InputArtifacts", []) for a in branches(entry)}
        for _, line in commands(buildspec):
            defined |= _assigned(line)
        for _, line in commands(buildspec):
            missing = variables_used(line) - defined
            # The approval email reads the CODEBUILD_SRC_DIR_<artifact> folders by indirection (${!name}).
            assert not missing, f"{project_name}: `{line}` reads {missing}, which nothing sets"
        if project_name != "ApprovalProject":
            # What buildspecs/archive-reports.sh needs.
            assert {"ARTIFACT_BUCKET", "ARTIFACT_KEY_ARN", "SECPIPE_REPO", "SECPIPE_BRANCH"} <= defined


def test_the_dast_build_can_run_in_the_staging_vpc(pipeline: dict[str, Any]) -> None:
    vpc = pipeline["Resources"]["DastProject"]["Properties"]["VpcConfig"]["Fn::If"]
    assert vpc[0] == "DastInVpc" and vpc[2] == {"Ref": "AWS::NoValue"}
    assert vpc[1]["VpcId"] == {"Ref": "DastVpcId"}
    assert vpc[1]["Subnets"] == {"Fn::Split": [",", {"Ref": "DastSubnetIds"}]}
    granted = {a for s in _inline(pipeline, "DastBuildRole") for a in as_list(s["Action"])}
    assert {"ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:CreateNetworkInterfacePermission"} <= granted


# --- the pipeline's shape ---------------------------------------------------------------


def test_sca_sast_and_iac_run_in_parallel_in_one_stage(pipeline: dict[str, Any]) -> None:
    scan = _pipeline_actions(pipeline)["Scan"]
    assert [a["Configuration"]["ProjectName"]["Ref"] for a in scan] == ["ScaProject", "SastProject", "IacProject"]
    assert len({a["RunOrder"] for a in scan}) == 1
    for action in scan:
        assert action["ActionTypeId"]["Provider"] == "CodeBuild"
        assert action["InputArtifacts"] == [{"Name": "Source"}]
        assert _action_variables(action) == {"SECPIPE_COMMIT"}  # repository and branch are the project's


def test_source_is_a_connection_or_codecommit(pipeline: dict[str, Any]) -> None:
    source = _pipeline_actions(pipeline)["Source"]
    assert sorted(a["ActionTypeId"]["Provider"] for a in source) == ["CodeCommit", "CodeStarSourceConnection"]
    assert all(a["OutputArtifacts"] == [{"Name": "Source"}] and a["Namespace"] == "SourceVariables" for a in source)
    trigger = pipeline["Resources"]["CodeCommitTrigger"]
    assert trigger["Condition"] == "UseCodeCommit"


def test_staging_deploys_with_its_overrides_then_dast_scans_a_url_or_the_stack_output(pipeline: dict[str, Any]) -> None:
    staging = _pipeline_actions(pipeline)["Staging"]
    deploy = next(a for a in staging if a["ActionTypeId"]["Provider"] == "CloudFormation")
    dast = next(a for a in staging if a["ActionTypeId"]["Provider"] == "CodeBuild")
    assert dast["Configuration"]["ProjectName"] == {"Ref": "DastProject"}
    assert deploy["RunOrder"] < dast["RunOrder"]
    assert deploy["Configuration"]["StackName"] == {"Ref": "StagingStackName"}
    assert deploy["Configuration"]["ParameterOverrides"] == {"Ref": "StagingParameterOverrides"}
    assert deploy["Configuration"]["RoleArn"] == {"Ref": "StagingDeployRoleArn"}
    assert deploy["RoleArn"] == {"Fn::If": ["StagingInAnotherAccount", {"Ref": "StagingActionRoleArn"},
                                            {"Ref": "AWS::NoValue"}]}
    assert deploy["Namespace"] == "StagingVariables"
    variables = pipeline["Resources"]["DastProject"]["Properties"]["Environment"]["EnvironmentVariables"]
    assert {"Name": "DAST_TARGET_URL", "Value": {"Ref": "DastTargetUrl"}} in variables
    from_output = dast["Configuration"]["EnvironmentVariables"]["Fn::If"]
    assert from_output[0] == "DastScansStackOutput"
    assert '"name":"DAST_TARGET_URL","value":"#{StagingVariables.${DastTargetStackOutput}}"' in _sub_text(from_output[1])
    # DAST is optional; the stage exists when it deploys or scans.
    (stage,) = [s for s in _resources(pipeline, "AWS::CodePipeline::Pipeline")["Pipeline"]["Properties"]["Stages"]
                if "Fn::If" in s and s["Fn::If"][1]["Name"] == "Staging"]
    assert stage["Fn::If"][0] == "HasStagingStage"
    assert pipeline["Resources"]["DastProject"]["Condition"] == "RunDast"
    assert pipeline["Parameters"]["EnableDast"]["AllowedValues"] == ["true", "false"]


def test_approval_email_then_manual_approval_on_the_topic(pipeline: dict[str, Any]) -> None:
    email, manual = sorted(_pipeline_actions(pipeline)["Approval"], key=lambda a: a["RunOrder"])
    assert email["ActionTypeId"]["Provider"] == "CodeBuild"
    assert email["Configuration"]["ProjectName"] == {"Ref": "ApprovalProject"}
    assert manual["ActionTypeId"] == {"Category": "Approval", "Owner": "AWS", "Provider": "Manual", "Version": "1"}
    assert manual["Configuration"]["NotificationArn"] == {"Ref": "ApprovalTopic"}
    # The summaries approval.yml looks for are the input artifacts the action may give it.
    text = "\n".join(line for _, line in commands(load_buildspec("approval.yml")))
    (loop,) = re.findall(r"for artifact in ([\w ]+);", text)
    read = set(loop.split())
    given = {a["Name"] for entry in email["InputArtifacts"] for a in branches(entry)}
    assert read == given - {"Source"}
    assert {"Fn::If": ["RunDast", {"Name": "DastReports"}, {"Ref": "AWS::NoValue"}]} in email["InputArtifacts"]
    produced = {o["Name"] for stage in _pipeline_actions(pipeline).values() for a in stage for o in a.get("OutputArtifacts", [])}
    assert read <= produced
    assert email["Configuration"]["PrimarySource"] == "Source"


def test_production_is_a_real_deployment_after_approval_or_absent(pipeline: dict[str, Any]) -> None:
    (codepipeline,) = _resources(pipeline, "AWS::CodePipeline::Pipeline").values()
    stages = codepipeline["Properties"]["Stages"]
    names = [concrete["Name"] for stage in stages for concrete in branches(stage)]
    assert names == ["Source", "Scan", "Staging", "Approval", "Production"]
    production = stages[-1]
    assert production["Fn::If"][0] == "DeployApp" and production["Fn::If"][2] == {"Ref": "AWS::NoValue"}
    (deploy,) = production["Fn::If"][1]["Actions"]
    assert deploy["ActionTypeId"]["Category"] == "Deploy" and deploy["ActionTypeId"]["Provider"] == "CloudFormation"
    assert deploy["Configuration"]["ActionMode"] == "CREATE_UPDATE"
    assert deploy["Configuration"]["StackName"] == {"Ref": "ProductionStackName"}
    assert deploy["Configuration"]["TemplatePath"] == {"Fn::Sub": "Source::${AppTemplatePath}"}
    assert deploy["Configuration"]["ParameterOverrides"] == {"Ref": "ProductionParameterOverrides"}
    assert deploy["RoleArn"]["Fn::If"][0] == "ProductionInAnotherAccount"


def test_other_account_deploy_roles_may_be_assumed_and_read_the_artifacts(pipeline: dict[str, Any]) -> None:
    (assume,) = [s for s in _inline(pipeline, "PipelineRole") if "sts:AssumeRole" in as_list(s["Action"])]
    assert {r["Fn::If"][1]["Ref"] for r in assume["Resource"]} == {"StagingActionRoleArn", "ProductionActionRoleArn"}
    for document in (pipeline["Resources"]["PipelineKey"]["Properties"]["KeyPolicy"],
                     pipeline["Resources"]["ArtifactBucketPolicy"]["Properties"]["PolicyDocument"]):
        (grant,) = [s for s in _statements(document) if s.get("Sid") == "OtherAccountDeployActionsReadArtifacts"]
        assert "s3:PutObject" not in as_list(grant["Action"]) and "kms:Encrypt" not in as_list(grant["Action"])


# --- governance -----------------------------------------------------------------------------


def test_the_trail_validates_its_log_files_and_is_optional(pipeline: dict[str, Any]) -> None:
    trail = pipeline["Resources"]["Trail"]
    assert trail["Condition"] == "MakeTrail"
    assert pipeline["Conditions"]["MakeTrail"] == {"Fn::Equals": [{"Ref": "CreateTrail"}, "true"]}
    props = trail["Properties"]
    assert props["EnableLogFileValidation"] is True and props["IsMultiRegionTrail"] is True and props["IsLogging"] is True
    assert props["CloudWatchLogsLogGroupArn"] == {"Fn::GetAtt": ["TrailLogGroup", "Arn"]}


def test_changes_to_pipelines_projects_and_policy_raise_an_alarm_by_email(pipeline: dict[str, Any]) -> None:
    filters = {r["Properties"]["MetricTransformations"][0]["MetricName"]: r["Properties"]
               for r in _resources(pipeline, "AWS::Logs::MetricFilter").values()}
    patterns = {name: _sub_text(props["FilterPattern"]) for name, props in filters.items()}
    for event in ("CreatePipeline", "UpdatePipeline", "DeletePipeline"):
        assert f'$.eventName = "{event}"' in patterns["PipelineChanges"]
    for event in ("CreateProject", "UpdateProject", "DeleteProject"):
        assert f'$.eventName = "{event}"' in patterns["ProjectChanges"]
    assert '"${ParameterPrefix}/*"' in patterns["ParameterChanges"]
    for props in filters.values():
        # This stack's trail, or the landing zone's log group.
        assert props["LogGroupName"] == {"Fn::If": ["MakeTrail", {"Ref": "TrailLogGroup"},
                                                    {"Ref": "ExistingTrailLogGroupName"}]}
    alarms = {r["Properties"]["MetricName"]: r["Properties"] for r in _resources(pipeline, "AWS::CloudWatch::Alarm").values()}
    assert set(alarms) == set(filters)
    for alarm in alarms.values():
        assert alarm["AlarmActions"] == [{"Ref": "NotificationTopic"}]
        assert alarm["Threshold"] == 1 and alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"


def test_the_seeds_config_rules_and_an_optional_recorder(pipeline: dict[str, Any]) -> None:
    rules = {r["Properties"]["Source"]["SourceIdentifier"] for r in _resources(pipeline, "AWS::Config::ConfigRule").values()}
    assert rules == {"CODEBUILD_PROJECT_ENVVAR_AWSCRED_CHECK", "CODEBUILD_PROJECT_SOURCE_REPO_URL_CHECK",
                     "CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED"}
    for kind in ("AWS::Config::ConfigurationRecorder", "AWS::Config::DeliveryChannel"):
        assert all(r["Condition"] == "MakeConfigRecorder" for r in _resources(pipeline, kind).values())
    assert pipeline["Parameters"]["CreateConfigRecorder"]["AllowedValues"] == ["true", "false"]


def test_pipeline_and_build_state_changes_are_emailed(pipeline: dict[str, Any]) -> None:
    rules = {name: r["Properties"] for name, r in _resources(pipeline, "AWS::Events::Rule").items()
             if r.get("Condition") != "UseCodeCommit"}
    patterns = {props["EventPattern"]["detail-type"][0]: props for props in rules.values()}
    execution = patterns["CodePipeline Pipeline Execution State Change"]
    assert execution["EventPattern"]["detail"]["pipeline"] == [{"Ref": "Pipeline"}]
    assert {"FAILED", "SUCCEEDED"} <= set(execution["EventPattern"]["detail"]["state"])
    build = patterns["CodeBuild Build State Change"]
    assert {"FAILED", "SUCCEEDED"} <= set(build["EventPattern"]["detail"]["build-status"])
    for props in (execution, build):
        (target,) = props["Targets"]
        assert target["Arn"] == {"Ref": "NotificationTopic"}
    (policy,) = _resources(pipeline, "AWS::SNS::TopicPolicy").values()
    (events,) = [s for s in _statements(policy["Properties"]["PolicyDocument"]) if s["Sid"] == "StateChangeRulesPublish"]
    assert events["Condition"]["ArnEquals"]["aws:SourceArn"] == [{"Fn::GetAtt": [name, "Arn"]} for name in
                                                                  ("PipelineStateChangeRule", "BuildStateChangeRule")]


# --- securityhub.yaml -------------------------------------------------------------------


def test_security_hub_template_enables_the_hub_and_the_standards() -> None:
    template = load_template("securityhub.yaml")
    (hub_name, hub), = _resources(template, "AWS::SecurityHub::Hub").items()
    assert hub["Properties"]["EnableDefaultStandards"] is False
    assert hub["Properties"]["ControlFindingGenerator"] == "SECURITY_CONTROL"
    standards = _resources(template, "AWS::SecurityHub::Standard")
    assert all(s["DependsOn"] == hub_name for s in standards.values())
    fsbp = standards["FoundationalBestPractices"]["Properties"]["StandardsArn"]["Fn::Sub"]
    assert fsbp == "arn:${AWS::Partition}:securityhub:${AWS::Region}::standards/aws-foundational-security-best-practices/v/1.0.0"
    cis = standards["CisBenchmark"]["Properties"]["StandardsArn"]["Fn::If"]
    versions = [v for v in template["Parameters"]["CisVersion"]["AllowedValues"] if v != "none"]
    resolved = {}
    for version in versions:
        chosen = cis[1] if version == "1.2.0" else cis[2]
        resolved[version] = chosen["Fn::Sub"].replace("${CisVersion}", version)
    assert resolved == {
        "1.2.0": "arn:${AWS::Partition}:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0",
        "1.4.0": "arn:${AWS::Partition}:securityhub:${AWS::Region}::standards/cis-aws-foundations-benchmark/v/1.4.0",
        "3.0.0": "arn:${AWS::Partition}:securityhub:${AWS::Region}::standards/cis-aws-foundations-benchmark/v/3.0.0",
    }


# --- moto: deploy what it supports, check what it made -----------------------------------

# The conditions that hold for DEPLOY_PARAMETERS (a connection source, DAST on a URL, this
# stack's trail and Config recorder, no application deployment).
TRUE_CONDITIONS = {"UseCodeStar", "RunDast", "MakeTrail", "MakeConfigRecorder", "GovernanceBucketNeeded"}


def _resolve_bucket_policy(document: Any, bucket: str) -> Any:
    """The bucket policy with the bucket's name and ARN filled in (moto does not create policies)."""
    arn = f"arn:aws:s3:::{bucket}"
    if isinstance(document, dict):
        if document == {"Ref": "ArtifactBucket"}:
            return bucket
        if document == {"Fn::GetAtt": ["ArtifactBucket", "Arn"]}:
            return arn
        if "Fn::Sub" in document:
            return document["Fn::Sub"].replace("${ArtifactBucket.Arn}", arn)
        if "Fn::If" in document:  # the other-account statement: no such account here
            return None
        return {key: _resolve_bucket_policy(value, bucket) for key, value in document.items()}
    if isinstance(document, list):
        return [item for item in (_resolve_bucket_policy(value, bucket) for value in document) if item is not None]
    return document


def _denied(policy: dict[str, Any], action: str, resource: str, context: dict[str, str]) -> bool:
    """Whether an explicit Deny of the policy matches the request (the operators it uses)."""
    for statement in policy["Statement"]:
        if statement["Effect"] != "Deny":
            continue
        if not any(fnmatch.fnmatchcase(action, a) for a in as_list(statement["Action"])):
            continue
        if not any(fnmatch.fnmatchcase(resource, r) for r in as_list(statement["Resource"])):
            continue
        if all(_condition_holds(operator, key, expected, context)
               for operator, pairs in statement.get("Condition", {}).items() for key, expected in pairs.items()):
            return True
    return False


def _condition_holds(operator: str, key: str, expected: str, context: dict[str, str]) -> bool:
    present = key in context
    if operator == "Bool":
        return present and context[key].lower() == expected.lower()
    if operator == "StringNotEquals":
        return not present or context[key] != expected  # a negated operator matches a missing key
    if operator == "Null":
        return (not present) == (expected == "true")
    raise AssertionError(f"the bucket policy uses {operator}, which this check does not evaluate")


def _document(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        # moto stores a policy that came from CloudFormation as the dict's repr.
        return ast.literal_eval(value) if value.startswith("{'") else json.loads(value)
    return value


@pytest.fixture(scope="module")
def deployed(pipeline: dict[str, Any]):
    moto = pytest.importorskip("moto")
    with moto.mock_aws():
        cloudformation = boto3.client("cloudformation", region_name=REGION)
        cloudformation.create_stack(
            StackName="secpipe", TemplateBody=json.dumps(_moto_subset(pipeline)),
            Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"],
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in DEPLOY_PARAMETERS.items()])
        (stack,) = cloudformation.describe_stacks(StackName="secpipe")["Stacks"]
        assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
        summaries = cloudformation.list_stack_resources(StackName="secpipe")["StackResourceSummaries"]
        yield {s["LogicalResourceId"]: s["PhysicalResourceId"] for s in summaries if s["LogicalResourceId"]}


def test_moto_creates_the_supported_resources(deployed: dict[str, str], pipeline: dict[str, Any]) -> None:
    supported = _moto_types()
    expected = {name for name, r in pipeline["Resources"].items()
                if r["Type"] in supported and r.get("Condition", "UseCodeStar") in TRUE_CONDITIONS}
    assert {"PipelineKey", "ArtifactBucket", "BuildBasePolicy", "ScanStagePolicy", "CentralPolicyParameter",
            "PipelineStateChangeRule", "GovernanceBucket"} <= expected
    assert set(deployed) == expected


def test_deployed_bucket_is_encrypted_with_the_rotating_key(deployed: dict[str, str]) -> None:
    s3 = boto3.client("s3", region_name=REGION)
    kms = boto3.client("kms", region_name=REGION)
    # Not describe_key: moto keeps a CloudFormation key policy as a dict and then cannot validate it.
    key = {"KeyId": deployed["PipelineKey"], "Arn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{deployed['PipelineKey']}"}
    assert kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"] is True
    for bucket in ("ArtifactBucket", "GovernanceBucket"):
        (rule,) = s3.get_bucket_encryption(Bucket=deployed[bucket])["ServerSideEncryptionConfiguration"]["Rules"]
        assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key["Arn"]}
    sns = boto3.client("sns", region_name=REGION)
    for topic in ("ApprovalTopic", "NotificationTopic"):
        assert sns.get_topic_attributes(TopicArn=deployed[topic])["Attributes"]["KmsMasterKeyId"] == key["KeyId"]
    groups = boto3.client("logs", region_name=REGION).describe_log_groups(logGroupNamePrefix="/secpipe/")["logGroups"]
    assert sorted(g["logGroupName"] for g in groups) == [f"/secpipe/secpipe/{s}" for s in
                                                         ("approval", "dast", "iac", "sast", "sca", "trail")]
    # moto's CloudFormation drops the log groups' KmsKeyId; the template test above checks it.


def test_deployed_bucket_policy_denies_plain_http_and_unencrypted_puts(deployed: dict[str, str], pipeline: dict[str, Any]) -> None:
    bucket = deployed["ArtifactBucket"]
    template_policy = pipeline["Resources"]["ArtifactBucketPolicy"]["Properties"]
    assert template_policy["Bucket"] == {"Ref": "ArtifactBucket"}
    s3 = boto3.client("s3", region_name=REGION)
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(_resolve_bucket_policy(template_policy["PolicyDocument"], bucket)))
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    obj = f"arn:aws:s3:::{bucket}/reports/acme%2Fshop/main/build-1/raw/zap.json"
    tls = {"aws:SecureTransport": "true"}
    assert _denied(policy, "s3:GetObject", obj, {"aws:SecureTransport": "false"})
    assert _denied(policy, "s3:ListBucket", f"arn:aws:s3:::{bucket}", {"aws:SecureTransport": "false"})
    assert _denied(policy, "s3:PutObject", obj, tls)  # no encryption header
    assert _denied(policy, "s3:PutObject", obj, {**tls, "s3:x-amz-server-side-encryption": "AES256"})
    assert not _denied(policy, "s3:PutObject", obj, {**tls, "s3:x-amz-server-side-encryption": "aws:kms"})
    assert not _denied(policy, "s3:GetObject", obj, tls)


def test_deployed_scan_roles_write_reports_of_their_repo_and_branch_only(deployed: dict[str, str]) -> None:
    iam = boto3.client("iam", region_name=REGION)
    bucket = deployed["ArtifactBucket"]
    policy_arn = deployed["ScanStagePolicy"]
    # Read from moto's store: botocore URL-decodes a returned policy document once (IAM
    # sends it encoded, moto does not), which would turn the key's literal %2F into '/'.
    from moto.iam.models import iam_backends
    policy = iam_backends[ACCOUNT]["global"].get_policy(policy_arn)
    (stored,) = [v.document for v in policy.versions if v.version_id == policy.default_version_id]
    document = _document(stored)
    by_sid = {s["Sid"]: s for s in document["Statement"]}
    assert by_sid["ArchiveReportsOfThisRepositoryAndBranch"]["Resource"] == \
        f"arn:aws:s3:::{bucket}/reports/acme%2Fshop/feature%2Flogin/*"
    assert by_sid["ImportFindingsIntoThisAccount"]["Resource"] == \
        f"arn:aws:securityhub:{REGION}:{ACCOUNT}:product/{ACCOUNT}/default"
    assert by_sid["ReadTheCentralPolicy"]["Resource"] == \
        f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/secpipe/shop/central-policy"
    for role in SCAN_ROLES:
        attached = iam.list_attached_role_policies(RoleName=deployed[role])["AttachedPolicies"]
        assert policy_arn in {p["PolicyArn"] for p in attached}, role
        trust = iam.get_role(RoleName=deployed[role])["Role"]["AssumeRolePolicyDocument"]
        assert trust["Statement"][0]["Principal"] == {"Service": "codebuild.amazonaws.com"}
    approval = iam.list_attached_role_policies(RoleName=deployed["ApprovalBuildRole"])["AttachedPolicies"]
    assert policy_arn not in {p["PolicyArn"] for p in approval}


def test_deployed_central_policy_is_in_ssm_under_the_prefix(deployed: dict[str, str], pipeline: dict[str, Any]) -> None:
    ssm = boto3.client("ssm", region_name=REGION)
    value = ssm.get_parameter(Name="/secpipe/shop/central-policy")["Parameter"]["Value"]
    assert value == pipeline["Parameters"]["CentralPolicy"]["Default"]
    parse_central_policy(value, "ssm:/secpipe/shop/central-policy")
