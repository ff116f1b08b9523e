"""The CloudFormation templates: cfn-lint clean, least-privilege IAM (no `*` action,
no service-wide `svc:*`), every ARN built from ${AWS::Partition}, the pipeline's
shape (parallel scans, approval email then manual approval, DAST on staging, a
real production deployment or none), settings that agree with the buildspecs,
and a moto deployment of the parts moto can create (KMS key, bucket, topic, log
groups, roles), with the bucket's encryption and policy checked on the result."""
from __future__ import annotations

import ast
import copy
import fnmatch
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import boto3
import pytest

from pipeline.tools.locate import find_executable
from tests.aws_files import (ALL_BUILDSPECS, BUILDSPECS, STAGE_BUILDSPECS, TEMPLATES, as_list, branches, commands,
                             load_buildspec, load_template, policy_statements, variables_used, walk)

TEMPLATE_NAMES = ["pipeline.yaml", "securityhub.yaml"]
STAGE_PROJECTS = {"sca": "ScaProject", "sast": "SastProject", "iac": "IacProject", "dast": "DastProject"}
PROJECT_ROLES = {"ScaProject": "ScaBuildRole", "SastProject": "SastBuildRole", "IacProject": "IacBuildRole",
                 "DastProject": "DastBuildRole", "ApprovalProject": "ApprovalBuildRole"}
# Variables CodeBuild itself sets (or the image has) that the buildspecs read.
CODEBUILD_VARIABLES = {"CODEBUILD_BUILD_ID", "PATH"}
REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's account
DEPLOY_PARAMETERS = {
    "ConnectionArn": f"arn:aws:codestar-connections:{REGION}:{ACCOUNT}:connection/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab",
    "FullRepositoryId": "acme/shop",
    "StagingUrl": "https://staging.shop.example.com/",
    "ApprovalEmail": "approver@example.com",
}


@pytest.fixture(scope="module")
def pipeline() -> dict[str, Any]:
    return load_template("pipeline.yaml")


def _resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def _pipeline_actions(template: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Stage name -> its actions (both branches of a conditional action)."""
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
    assert _cfn_lint(TEMPLATES / name) == []


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
    done = subprocess.run([str(checkov), "-d", str(TEMPLATES), "--framework", "cloudformation", "--skip-download",
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
    roles = _resources(pipeline, "AWS::IAM::Role")
    assert len(roles) >= 7
    for name, role in roles.items():
        for policy in role["Properties"]["Policies"]:
            for statement in policy["PolicyDocument"]["Statement"]:
                for concrete in branches(statement):
                    assert concrete["Effect"] == "Allow"
                    assert "*" not in as_list(concrete["Resource"]), f"{name}/{policy['PolicyName']}: Resource *"


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


def test_security_hub_access_is_the_accounts_default_product_and_hub(pipeline: dict[str, Any]) -> None:
    product = "arn:${AWS::Partition}:securityhub:${AWS::Region}:${AWS::AccountId}:product/${AWS::AccountId}/default"
    hub = "arn:${AWS::Partition}:securityhub:${AWS::Region}:${AWS::AccountId}:hub/default"
    for project, role_name in PROJECT_ROLES.items():
        statements = pipeline["Resources"][role_name]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
        granted = {action: _sub_text(s["Resource"]) for s in statements for action in as_list(s["Action"])}
        if project == "ApprovalProject":
            assert not any(a.startswith("securityhub:") for a in granted), "the approval email needs no Security Hub access"
            continue
        assert granted["securityhub:BatchImportFindings"] == product
        assert granted["securityhub:GetFindings"] == hub
        assert granted["securityhub:BatchUpdateFindings"] == hub
        assert granted["s3:PutObject"] in {"${ArtifactBucket.Arn}/reports/*", "${ArtifactBucket.Arn}/${PipelineName}/*"}
        assert any(_sub_text(s["Resource"]) == "${ArtifactBucket.Arn}/reports/*" for s in statements)


def test_parameter_store_names_match_the_roles_that_read_them(pipeline: dict[str, Any]) -> None:
    for stage, project in STAGE_PROJECTS.items():
        wanted = set(((load_buildspec(STAGE_BUILDSPECS[stage]).get("env") or {}).get("parameter-store") or {}).values())
        statements = pipeline["Resources"][PROJECT_ROLES[project]]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
        granted = set()
        for statement in statements:
            if any(a.startswith("ssm:") for a in as_list(statement["Action"])):
                # CodeBuild resolves `env: parameter-store` with GetParameters; secpipe's own SSM reads use GetParameter.
                assert set(as_list(statement["Action"])) == {"ssm:GetParameter", "ssm:GetParameters"}
                prefix = "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter"
                text = _sub_text(statement["Resource"])
                assert text.startswith(prefix)
                granted.add(text.removeprefix(prefix))
        assert granted == wanted, f"{stage}: buildspec reads {wanted}, role grants {granted}"


# --- storage, keys, topic -----------------------------------------------------------------


def test_one_rotating_key_encrypts_artifacts_logs_topic_and_builds(pipeline: dict[str, Any]) -> None:
    (key_name, key), = _resources(pipeline, "AWS::KMS::Key").items()
    assert key["Properties"]["EnableKeyRotation"] is True
    key_arn = {"Fn::GetAtt": [key_name, "Arn"]}
    bucket = pipeline["Resources"]["ArtifactBucket"]["Properties"]
    (rule,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn}
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert bucket["PublicAccessBlockConfiguration"] == {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                                        "IgnorePublicAcls": True, "RestrictPublicBuckets": True}
    assert pipeline["Resources"]["ApprovalTopic"]["Properties"]["KmsMasterKeyId"] == {"Ref": key_name}
    for group in _resources(pipeline, "AWS::Logs::LogGroup").values():
        assert group["Properties"]["KmsKeyId"] == key_arn
    for project in _resources(pipeline, "AWS::CodeBuild::Project").values():
        assert project["Properties"]["EncryptionKey"] == key_arn
    (codepipeline,) = _resources(pipeline, "AWS::CodePipeline::Pipeline").values()
    assert codepipeline["Properties"]["ArtifactStore"]["EncryptionKey"] == {"Type": "KMS", "Id": key_arn}


def test_approval_topic_has_an_email_subscription_parameter(pipeline: dict[str, Any]) -> None:
    (subscription,) = _resources(pipeline, "AWS::SNS::Subscription").values()
    assert subscription["Properties"] == {"TopicArn": {"Ref": "ApprovalTopic"}, "Protocol": "email",
                                          "Endpoint": {"Ref": "ApprovalEmail"}}
    assert "Default" not in pipeline["Parameters"]["ApprovalEmail"]


# --- CodeBuild projects and the buildspecs --------------------------------------------------


def test_every_project_runs_a_buildspec_of_this_repository_with_logs_and_its_own_role(pipeline: dict[str, Any]) -> None:
    projects = _resources(pipeline, "AWS::CodeBuild::Project")
    assert set(projects) == set(PROJECT_ROLES)
    used = set()
    for name, project in projects.items():
        props = project["Properties"]
        path = props["Source"]["BuildSpec"]
        assert (BUILDSPECS.parent / path).is_file(), f"{name}: {path} does not exist"
        used.add(Path(path).name)
        assert props["ServiceRole"] == {"Fn::GetAtt": [PROJECT_ROLES[name], "Arn"]}
        assert props["Environment"]["PrivilegedMode"] is False
        logs = props["LogsConfig"]["CloudWatchLogs"]
        assert logs["Status"] == "ENABLED"
        group = logs["GroupName"]["Ref"]
        role = pipeline["Resources"][PROJECT_ROLES[name]]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
        log_statement = next(s for s in role if "logs:PutLogEvents" in as_list(s["Action"]))
        assert _sub_text(log_statement["Resource"]) == f"${{{group}.Arn}}:*"
    assert used == set(ALL_BUILDSPECS)


def test_report_groups_are_the_ones_codebuild_uses_for_the_buildspec_reports(pipeline: dict[str, Any]) -> None:
    groups = {r["Properties"]["Name"]["Fn::Sub"]: name for name, r in _resources(pipeline, "AWS::CodeBuild::ReportGroup").items()}
    for stage, project_name in STAGE_PROJECTS.items():
        project = pipeline["Resources"][project_name]["Properties"]
        (report,) = load_buildspec(STAGE_BUILDSPECS[stage])["reports"]
        # CodeBuild files a buildspec report named R of project P under the group "P-R".
        group_name = f"{project['Name']['Fn::Sub']}-{report}"
        assert group_name in groups, f"{stage}: no report group {group_name}"
        role = pipeline["Resources"][PROJECT_ROLES[project_name]]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
        reports = next(s for s in role if "codebuild:BatchPutTestCases" in as_list(s["Action"]))
        assert reports["Resource"] == {"Fn::GetAtt": [groups[group_name], "Arn"]}


def _action_variables(action: dict[str, Any]) -> set[str]:
    value = action["Configuration"].get("EnvironmentVariables")
    if value is None:
        return set()
    text = _sub_text(value)
    document = json.loads(re.sub(r"\$\{[^}]+\}", "x", text))
    assert all(v["type"] == "PLAINTEXT" for v in document), "secrets never travel as plaintext action variables"
    return {v["name"] for v in document}


def test_every_variable_a_buildspec_reads_is_set(pipeline: dict[str, Any]) -> None:
    actions = {a["Configuration"].get("ProjectName", {}).get("Ref"): a
               for stage_actions in _pipeline_actions(pipeline).values() for a in stage_actions}
    for project_name, project in _resources(pipeline, "AWS::CodeBuild::Project").items():
        buildspec = load_buildspec(Path(project["Properties"]["Source"]["BuildSpec"]).name)
        env = buildspec.get("env") or {}
        defined = set(env.get("variables") or {}) | set(env.get("parameter-store") or {}) | CODEBUILD_VARIABLES
        defined |= {v["Name"] for v in project["Properties"]["Environment"].get("EnvironmentVariables", [])}
        action = actions[project_name]
        defined |= _action_variables(action)
        defined |= {f"CODEBUILD_SRC_DIR_{a['Name']}" for a in action.get("InputArtifacts", [])}
        for _, line in commands(buildspec):
            for match in re.finditer(r"export ([A-Z_]+)=", line):
                defined.add(match.group(1))
            # Variables of a `bash -c '...'` child are the exported ones above.
            missing = variables_used(line) - defined
            assert not missing, f"{project_name}: `{line}` reads {missing}, which nothing sets"
        if project_name != "ApprovalProject":
            # What buildspecs/archive-reports.sh needs.
            assert {"ARTIFACT_BUCKET", "ARTIFACT_KEY_ARN", "SECPIPE_REPO", "SECPIPE_BRANCH"} <= defined


# --- the pipeline's shape ---------------------------------------------------------------


def test_sca_sast_and_iac_run_in_parallel_in_one_stage(pipeline: dict[str, Any]) -> None:
    scan = _pipeline_actions(pipeline)["Scan"]
    assert [a["Configuration"]["ProjectName"]["Ref"] for a in scan] == ["ScaProject", "SastProject", "IacProject"]
    assert len({a["RunOrder"] for a in scan}) == 1
    for action in scan:
        assert action["ActionTypeId"]["Provider"] == "CodeBuild"
        assert action["InputArtifacts"] == [{"Name": "Source"}]
        assert {"SECPIPE_REPO", "SECPIPE_BRANCH", "SECPIPE_COMMIT"} <= _action_variables(action)


def test_source_is_a_connection_or_codecommit(pipeline: dict[str, Any]) -> None:
    source = _pipeline_actions(pipeline)["Source"]
    assert sorted(a["ActionTypeId"]["Provider"] for a in source) == ["CodeCommit", "CodeStarSourceConnection"]
    assert all(a["OutputArtifacts"] == [{"Name": "Source"}] and a["Namespace"] == "SourceVariables" for a in source)
    trigger = pipeline["Resources"]["CodeCommitTrigger"]
    assert trigger["Condition"] == "UseCodeCommit"


def test_dast_scans_the_staging_url_after_the_staging_deployment(pipeline: dict[str, Any]) -> None:
    staging = _pipeline_actions(pipeline)["Staging"]
    deploy = next(a for a in staging if a["ActionTypeId"]["Provider"] == "CloudFormation")
    dast = next(a for a in staging if a["ActionTypeId"]["Provider"] == "CodeBuild")
    assert dast["Configuration"]["ProjectName"] == {"Ref": "DastProject"}
    assert deploy["RunOrder"] < dast["RunOrder"]
    assert deploy["Configuration"]["StackName"] == {"Ref": "StagingStackName"}
    variables = pipeline["Resources"]["DastProject"]["Properties"]["Environment"]["EnvironmentVariables"]
    assert {"Name": "DAST_TARGET_URL", "Value": {"Ref": "StagingUrl"}} in variables


def test_approval_email_then_manual_approval_on_the_topic(pipeline: dict[str, Any]) -> None:
    email, manual = sorted(_pipeline_actions(pipeline)["Approval"], key=lambda a: a["RunOrder"])
    assert email["ActionTypeId"]["Provider"] == "CodeBuild"
    assert email["Configuration"]["ProjectName"] == {"Ref": "ApprovalProject"}
    assert manual["ActionTypeId"] == {"Category": "Approval", "Owner": "AWS", "Provider": "Manual", "Version": "1"}
    assert manual["Configuration"]["NotificationArn"] == {"Ref": "ApprovalTopic"}
    # The summaries approval.yml reads are the input artifacts the action gives it.
    read = {artifact for _, line in commands(load_buildspec("approval.yml"))
            for artifact in re.findall(r"CODEBUILD_SRC_DIR_(\w+)", line)}
    given = {a["Name"] for a in email["InputArtifacts"]}
    assert read == given - {"Source"}
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

MOTO_TYPES = {"AWS::KMS::Key", "AWS::KMS::Alias", "AWS::S3::Bucket", "AWS::SNS::Topic", "AWS::IAM::Role",
              "AWS::Logs::LogGroup"}


def _moto_subset(template: dict[str, Any]) -> dict[str, Any]:
    """The template with only the resource types moto's CloudFormation creates; references
    to the others (CodeBuild, CodePipeline, report groups) become stand-in names."""
    kept = {name for name, r in template["Resources"].items() if r["Type"] in MOTO_TYPES}

    def stand_in(node: Any) -> Any:
        if isinstance(node, dict):
            if "Fn::GetAtt" in node and node["Fn::GetAtt"][0] not in kept:
                return f"arn:aws:codebuild:{REGION}:{ACCOUNT}:stand-in/{node['Fn::GetAtt'][0]}"
            if "Ref" in node and node["Ref"] in template["Resources"] and node["Ref"] not in kept:
                return f"stand-in-{node['Ref']}"
            return {key: stand_in(value) for key, value in node.items()}
        if isinstance(node, list):
            return [stand_in(value) for value in node]
        return node

    subset = {key: copy.deepcopy(value) for key, value in template.items() if key not in ("Resources", "Outputs")}
    subset["Resources"] = {name: stand_in(r) for name, r in template["Resources"].items() if name in kept}
    return subset


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
        return {key: _resolve_bucket_policy(value, bucket) for key, value in document.items()}
    if isinstance(document, list):
        return [_resolve_bucket_policy(value, bucket) for value in document]
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


@pytest.fixture(scope="module")
def deployed(pipeline: dict[str, Any]):
    moto = pytest.importorskip("moto")
    with moto.mock_aws():
        cloudformation = boto3.client("cloudformation", region_name=REGION)
        cloudformation.create_stack(
            StackName="secpipe", TemplateBody=json.dumps(_moto_subset(pipeline)), Capabilities=["CAPABILITY_IAM"],
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in DEPLOY_PARAMETERS.items()])
        (stack,) = cloudformation.describe_stacks(StackName="secpipe")["Stacks"]
        assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
        summaries = cloudformation.list_stack_resources(StackName="secpipe")["StackResourceSummaries"]
        yield {s["LogicalResourceId"]: s["PhysicalResourceId"] for s in summaries if s["LogicalResourceId"]}


def test_moto_creates_the_supported_resources(deployed: dict[str, str], pipeline: dict[str, Any]) -> None:
    expected = {name for name, r in pipeline["Resources"].items()
                if r["Type"] in MOTO_TYPES and "Condition" not in r}  # CodeCommit-only resources are off here
    assert set(deployed) == expected


def test_deployed_bucket_is_encrypted_with_the_rotating_key(deployed: dict[str, str]) -> None:
    s3 = boto3.client("s3", region_name=REGION)
    kms = boto3.client("kms", region_name=REGION)
    # Not describe_key: moto keeps a CloudFormation key policy as a dict and then cannot validate it.
    key = {"KeyId": deployed["PipelineKey"], "Arn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{deployed['PipelineKey']}"}
    assert kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"] is True
    (rule,) = s3.get_bucket_encryption(Bucket=deployed["ArtifactBucket"])["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key["Arn"]}
    topic = boto3.client("sns", region_name=REGION).get_topic_attributes(TopicArn=deployed["ApprovalTopic"])
    assert topic["Attributes"]["KmsMasterKeyId"] == key["KeyId"]
    groups = boto3.client("logs", region_name=REGION).describe_log_groups(logGroupNamePrefix="/secpipe/")["logGroups"]
    assert sorted(g["logGroupName"] for g in groups) == [f"/secpipe/secpipe/{s}" for s in ("approval", "dast", "iac", "sast", "sca")]
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


def test_deployed_build_roles_grant_security_hub_in_this_account_only(deployed: dict[str, str]) -> None:
    iam = boto3.client("iam", region_name=REGION)
    for role in ("ScaBuildRole", "SastBuildRole", "IacBuildRole", "DastBuildRole"):
        document = iam.get_role_policy(RoleName=deployed[role], PolicyName="scan-stage")["PolicyDocument"]
        if isinstance(document, str):
            # moto stores a policy that came from CloudFormation as the dict's repr.
            document = ast.literal_eval(document) if document.startswith("{'") else json.loads(document)
        by_action = {a: s["Resource"] for s in document["Statement"] for a in as_list(s["Action"])}
        assert by_action["securityhub:BatchImportFindings"] == f"arn:aws:securityhub:{REGION}:{ACCOUNT}:product/{ACCOUNT}/default"
        assert by_action["securityhub:GetFindings"] == f"arn:aws:securityhub:{REGION}:{ACCOUNT}:hub/default"
        bucket = deployed["ArtifactBucket"]
        assert f"arn:aws:s3:::{bucket}/reports/*" in [s["Resource"] for s in document["Statement"]]
        trust = iam.get_role(RoleName=deployed[role])["Role"]["AssumeRolePolicyDocument"]
        assert trust["Statement"][0]["Principal"] == {"Service": "codebuild.amazonaws.com"}
