"""The three remediation templates and the state machine definition: cfn-lint clean, no
wildcard actions, ARNs from the partition and region of the stack, the member role's
actions equal to the playbooks' declarations, trust and invoke permissions that name
exactly one caller, the ASL wired by DefinitionSubstitutions with the Retry and Catch the
issue asks for, and the environment the handlers read. (checkov runs over every template
in tests/test_cloudformation.py.)"""
from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
from typing import Any

import pytest

from pipeline.remediation import lambda_env, proxy
from pipeline.remediation.member import DEFAULT_ROLE_NAME
from pipeline.remediation.playbooks import cloudwatch_metric_alarms
from pipeline.remediation.registry import PLAYBOOKS
from pipeline.remediation.throttling import Throttled
from tests.aws_files import TEMPLATES, as_list, load_template, policy_statements, walk
from tests.remediation.aws.conftest import ASL, MEMBER_ACCOUNT, ORGANIZATION_ID, SERVICE_ACCOUNT, session_in
from tests.test_cloudformation import _cfn_lint

SECURITY = "remediation-security-account.yaml"
SERVICE = "remediation-service-account.yaml"
MEMBER = "remediation-member-role.yaml"
TEMPLATE_NAMES = [SECURITY, SERVICE, MEMBER]
SCRIPT = "python scripts/member_role_actions.py --write"


def _resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def _sub(value: Any) -> str:
    if isinstance(value, dict) and "Fn::Sub" in value:
        return value["Fn::Sub"] if isinstance(value["Fn::Sub"], str) else value["Fn::Sub"][0]
    assert isinstance(value, str), value
    return value


def _asl() -> dict[str, Any]:
    return json.loads(ASL.read_text(encoding="utf-8"))


def _states(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every state, the Map's inner ones included."""
    found = {}
    for name, state in definition["States"].items():
        found[name] = state
        if state["Type"] == "Map":
            found.update(_states(state["ItemProcessor"]))
    return found


# --- lint, wildcards, partitions ----------------------------------------------------------------


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_template_is_cfn_lint_clean(name: str) -> None:
    assert _cfn_lint(TEMPLATES / name) == []


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_no_statement_has_a_wildcard_action(name: str) -> None:
    statements = list(policy_statements(load_template(name)))
    assert statements
    for where, statement in statements:
        assert "NotAction" not in statement, where
        for action in as_list(statement["Action"]):
            assert "*" not in action, f"{where}: {action}"


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_arns_take_partition_and_region_from_the_stack(name: str) -> None:
    template = load_template(name)
    seen = 0
    for path, node in walk({"Resources": template["Resources"], "Outputs": template.get("Outputs", {})}):
        if isinstance(node, str) and "arn:" in node:
            seen += 1
            assert not re.findall(r"arn:(?!\$\{AWS::Partition\}:)", node), f"{path}: {node}"
            assert not re.search(r"\b[a-z]{2}-[a-z]+-\d\b", node), f"{path}: a literal region in {node}"
    assert seen


# --- the member role ------------------------------------------------------------------------------


def _member_role() -> dict[str, Any]:
    (role,) = _resources(load_template(MEMBER), "AWS::IAM::Role").values()
    return role["Properties"]


def test_member_role_actions_are_exactly_the_playbooks_declared_actions() -> None:
    declared = sorted({action for playbook in PLAYBOOKS.all() for action in playbook.iam_actions()})
    (policy,) = _member_role()["Policies"]
    (statement,) = policy["PolicyDocument"]["Statement"]
    granted = as_list(statement["Action"])
    missing, extra = sorted(set(declared) - set(granted)), sorted(set(granted) - set(declared))
    assert not missing and not extra, (f"the member role is out of date with the playbooks (missing {missing}, "
                                       f"not declared {extra}): run `{SCRIPT}`")
    assert granted == declared, f"keep the list sorted: run `{SCRIPT}`"


def test_member_role_actions_are_what_secpipe_remediate_list_declares() -> None:
    """The issue's contract: the union of `secpipe remediate list --json`'s iam_actions."""
    done = subprocess.run([sys.executable, "-m", "pipeline.cli", "remediate", "list", "--json"], capture_output=True,
                          text=True, timeout=120, cwd=TEMPLATES.parent)
    assert done.returncode == 0, done.stderr
    declared = sorted({action for row in json.loads(done.stdout) for action in row["iam_actions"]})
    (policy,) = _member_role()["Policies"]
    assert as_list(policy["PolicyDocument"]["Statement"][0]["Action"]) == declared, f"run `{SCRIPT}`"


def test_the_regeneration_script_rewrites_only_the_action_list() -> None:
    script = _load_script()
    text = (TEMPLATES / MEMBER).read_text(encoding="utf-8")
    rewritten = script.rewrite(text, ["a:One", "b:Two"])
    assert "                  - a:One\n                  - b:Two\n" in rewritten
    assert rewritten.split("# BEGIN")[0] == text.split("# BEGIN")[0]
    assert rewritten.split("# END")[1] == text.split("# END")[1]
    assert script.member_role_actions() == sorted({a for p in PLAYBOOKS.all() for a in p.iam_actions()})


def _load_script() -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location("member_role_actions", TEMPLATES.parent / "scripts" / "member_role_actions.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def test_member_role_is_trusted_only_by_the_service_role_within_the_organization() -> None:
    role = _member_role()
    (statement,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Effect"] == "Allow" and statement["Action"] == "sts:AssumeRole"
    assert _sub(statement["Principal"]["AWS"]) == "arn:${AWS::Partition}:iam::${ServiceAccountId}:role/${RemediationRoleName}"
    assert statement["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": {"Ref": "OrganizationId"}}}
    assert role["RoleName"] == {"Ref": "MemberRoleName"}


def test_member_template_is_ready_for_service_managed_stacksets() -> None:
    """Only global IAM resources, nothing exported, nothing named after a region: one
    instance per account in one region, created by StackSets' own execution role."""
    template = load_template(MEMBER)
    assert {r["Type"] for r in template["Resources"].values()} == {"AWS::IAM::Role"}
    assert all("Export" not in output for output in template.get("Outputs", {}).values())
    assert "AWS::Region" not in json.dumps(template["Resources"])


def test_moto_creates_the_member_role_from_the_template_in_a_member_account(moto_aws) -> None:
    member = session_in(MEMBER_ACCOUNT)
    text = json.dumps(load_template(MEMBER))
    member.client("cloudformation").create_stack(
        StackName="secpipe-member-role", TemplateBody=text, Capabilities=["CAPABILITY_NAMED_IAM"],
        Parameters=[{"ParameterKey": "ServiceAccountId", "ParameterValue": SERVICE_ACCOUNT},
                    {"ParameterKey": "OrganizationId", "ParameterValue": ORGANIZATION_ID}])
    role = member.client("iam").get_role(RoleName=DEFAULT_ROLE_NAME)["Role"]
    assert role["Arn"] == f"arn:aws:iam::{MEMBER_ACCOUNT}:role/{DEFAULT_ROLE_NAME}"
    (statement,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Principal"] == {"AWS": f"arn:aws:iam::{SERVICE_ACCOUNT}:role/secpipe-remediation-service"}
    assert statement["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": ORGANIZATION_ID}}


# --- the Service account ---------------------------------------------------------------------------


def test_the_remediation_role_may_only_assume_the_member_role_across_accounts() -> None:
    template = load_template(SERVICE)
    role = template["Resources"]["RemediationRole"]["Properties"]
    statements = [s for policy in role["Policies"] for s in policy["PolicyDocument"]["Statement"]]
    assume = [s for s in statements if "sts:AssumeRole" in as_list(s["Action"])]
    (only,) = assume
    assert as_list(only["Action"]) == ["sts:AssumeRole"]
    assert _sub(only["Resource"]) == "arn:${AWS::Partition}:iam::*:role/${MemberRoleName}"
    assert only["Condition"] == {"StringEquals": {"aws:ResourceOrgID": {"Ref": "OrganizationId"}}}
    own = {"IdempotencyTable", "StateTable", "RemediationKey", "RemediationLogGroup", "DeadLetterQueue"}
    for statement in statements:
        if statement is only:
            continue
        for resource in as_list(statement["Resource"]):
            named = resource.get("Fn::GetAtt", [None])[0] if isinstance(resource, dict) and "Fn::GetAtt" in resource \
                else re.match(r"\$\{(\w+)", _sub(resource))[1]
            assert named in own, f"{statement['Action']} on {resource}: not one of the stack's own resources"
    assert [a for a in role["ManagedPolicyArns"]] == [{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AWSXRayDaemonWriteAccess"}]


def test_only_the_security_accounts_proxy_role_may_invoke_the_remediation_alias() -> None:
    template = load_template(SERVICE)
    (permission,) = _resources(template, "AWS::Lambda::Permission").values()
    props = permission["Properties"]
    assert props["Action"] == "lambda:InvokeFunction"
    assert props["FunctionName"] == {"Ref": "RemediationAlias"}
    assert _sub(props["Principal"]) == "arn:${AWS::Partition}:iam::${SecurityAccountId}:role/${ProxyRoleName}"
    assert "SourceAccount" not in props and "FunctionUrlAuthType" not in props


def test_the_stacks_agree_on_names_by_default() -> None:
    security, service, member = (load_template(name) for name in TEMPLATE_NAMES)
    default = {name: {key: spec.get("Default") for key, spec in t["Parameters"].items()}
               for name, t in zip(TEMPLATE_NAMES, (security, service, member), strict=False)}
    assert security["Resources"]["ProxyRole"]["Properties"]["RoleName"] == {"Fn::Sub": "${NamePrefix}-proxy"}
    assert f"{default[SECURITY]['NamePrefix']}-proxy" == default[SERVICE]["ProxyRoleName"]
    assert default[SECURITY]["RemediationFunctionName"] == default[SERVICE]["FunctionName"]
    assert service["Resources"]["RemediationAlias"]["Properties"]["Name"] == default[SECURITY]["RemediationFunctionQualifier"]
    assert service["Resources"]["RemediationRole"]["Properties"]["RoleName"] == {"Fn::Sub": "${FunctionName}-service"}
    assert f"{default[SERVICE]['FunctionName']}-service" == default[MEMBER]["RemediationRoleName"]
    assert default[SERVICE]["MemberRoleName"] == default[MEMBER]["MemberRoleName"] == DEFAULT_ROLE_NAME
    assert default[SERVICE]["DryRun"] == "true", "a new deployment plans only until someone switches DryRun off"


# --- the Security account --------------------------------------------------------------------------


def test_the_proxy_may_invoke_only_the_configured_function_version() -> None:
    template = load_template(SECURITY)
    statements = template["Resources"]["ProxyRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    (invoke,) = [s for s in statements if "lambda:InvokeFunction" in as_list(s["Action"])]
    target = ("arn:${AWS::Partition}:lambda:${AWS::Region}:${ServiceAccountId}:function:"
              "${RemediationFunctionName}")
    assert _sub(invoke["Resource"]) == f"{target}:${{RemediationFunctionQualifier}}"
    variables = template["Resources"]["ProxyFunction"]["Properties"]["Environment"]["Variables"]
    assert _sub(variables[proxy.FUNCTION_VARIABLE]) == target
    assert variables[proxy.VERSION_VARIABLE] == {"Ref": "RemediationFunctionQualifier"}


def test_topic_queue_and_logs_are_encrypted_and_logs_expire() -> None:
    for name in (SECURITY, SERVICE):
        template = load_template(name)
        (key_name, key), = _resources(template, "AWS::KMS::Key").items()
        assert key["Properties"]["EnableKeyRotation"] is True
        for topic in _resources(template, "AWS::SNS::Topic").values():
            assert topic["Properties"]["KmsMasterKeyId"] == {"Ref": key_name}
        for queue in _resources(template, "AWS::SQS::Queue").values():
            assert queue["Properties"]["KmsMasterKeyId"] == {"Ref": key_name}
        groups = _resources(template, "AWS::Logs::LogGroup")
        for group in groups.values():
            assert group["Properties"]["KmsKeyId"] == {"Fn::GetAtt": [key_name, "Arn"]}
            assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
        for function in _resources(template, "AWS::Lambda::Function").values():
            props = function["Properties"]
            assert props["LoggingConfig"]["LogGroup"]["Ref"] in groups
            assert props["KmsKeyArn"] == {"Fn::GetAtt": [key_name, "Arn"]}
            assert props["DeadLetterConfig"]["TargetArn"]["Fn::GetAtt"][0] in _resources(template, "AWS::SQS::Queue")
    assert len(_resources(load_template(SECURITY), "AWS::SNS::Topic")) == 1


def test_both_rules_start_the_state_machine_and_dead_letter_what_they_cannot_deliver() -> None:
    template = load_template(SECURITY)
    rules = _resources(template, "AWS::Events::Rule")
    assert set(rules) == {"ImportedFindingsRule", "RemediateActionRule"}
    for rule in rules.values():
        (target,) = rule["Properties"]["Targets"]
        assert target["Arn"] == {"Ref": "RemediationStateMachine"}
        assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]}}
    (action,) = _resources(template, "AWS::SecurityHub::ActionTarget").values()
    assert action["Properties"]["Id"] == "Remediate"
    assert rules["RemediateActionRule"]["Properties"]["EventPattern"]["resources"] == [
        {"Fn::GetAtt": ["RemediateAction", "ActionTargetArn"]}]


# --- the state machine definition -------------------------------------------------------------------


def test_the_definition_is_its_own_file_wired_by_definition_substitutions() -> None:
    machine = load_template(SECURITY)["Resources"]["RemediationStateMachine"]["Properties"]
    assert "Definition" not in machine and "DefinitionString" not in machine
    assert machine["DefinitionS3Location"] == {"Bucket": {"Ref": "CodeBucket"}, "Key": {"Ref": "DefinitionKey"}}
    placeholders = set(re.findall(r"\$\{(\w+)\}", ASL.read_text(encoding="utf-8")))
    assert placeholders == set(machine["DefinitionSubstitutions"])
    assert machine["DefinitionSubstitutions"]["Partition"] == {"Ref": "AWS::Partition"}
    for resource in (s.get("Resource", "") for s in _states(_asl()).values()):
        assert not resource or resource.startswith("arn:${Partition}:states:::"), resource


def test_every_task_retries_throttling_with_backoff_jitter_and_a_limit() -> None:
    states = _states(_asl())
    tasks = {name: s for name, s in states.items() if s["Type"] == "Task"}
    assert {"Normalise", "Archive", "Remediate", "Record", "Notify", "NotifyRecordFailed"} <= set(tasks)
    for name, task in tasks.items():
        assert task["Retry"], name
        for retrier in task["Retry"]:
            assert retrier["BackoffRate"] > 1 and retrier["MaxAttempts"] >= 3, name
            assert retrier["JitterStrategy"] == "FULL", name
        caught = {error for retrier in task["Retry"] for error in retrier["ErrorEquals"]}
        if task["Resource"].endswith(":lambda:invoke"):
            assert "Lambda.TooManyRequestsException" in caught, name
    for name in ("Archive", "Remediate", "Record"):
        caught = {error for retrier in tasks[name]["Retry"] for error in retrier["ErrorEquals"]}
        assert {"SecurityHub.TooManyRequestsException", Throttled.__name__} <= caught, name
    remediate = {e for r in tasks["Remediate"]["Retry"] for e in r["ErrorEquals"]}
    assert proxy.RemediationInProgress.__name__ in remediate
    assert set(proxy.REMOTE_ERRORS.values()) == {Throttled, proxy.RemediationInProgress}


def test_failures_are_caught_into_record_and_record_failures_are_announced() -> None:
    states = _states(_asl())
    for name in ("Archive", "Remediate"):
        (catch,) = states[name]["Catch"]
        assert catch == {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Record"}
    (catch,) = states["Record"]["Catch"]
    assert catch["Next"] == "NotifyRecordFailed" and states["NotifyRecordFailed"]["Next"] == "RecordFailed"
    assert states["RecordFailed"]["Type"] == "Fail"
    choices = {c["StringEquals"]: c["Next"] for c in states["Route"]["Choices"]}
    assert choices == {"archive": "Archive", "remediate": "Remediate", "no-playbook": "Record"}
    assert states["Notify"]["Resource"] == "arn:${Partition}:states:::sns:publish"
    assert states["Notify"]["Parameters"]["TopicArn"] == "${FailureTopicArn}"


# --- the functions and their environment ------------------------------------------------------------


def _functions() -> dict[str, dict[str, Any]]:
    return {name: f["Properties"] for template in (SECURITY, SERVICE)
            for name, f in _resources(load_template(template), "AWS::Lambda::Function").items()}


def test_every_handler_named_in_a_template_is_a_function_of_lambdas() -> None:
    handlers = {props["Handler"] for props in _functions().values()}
    assert handlers == {f"lambdas.{name}.handler" for name in ("normalise", "archive", "proxy", "record", "remediate")}
    for handler in handlers:
        module, name = handler.rsplit(".", 1)
        assert callable(getattr(importlib.import_module(module), name))


def test_every_variable_the_templates_set_is_one_the_code_reads_and_the_required_ones_are_set() -> None:
    # Playbooks may read a setting of their own (CloudWatch.1-14: the alarm topic).
    known = {value for module in (lambda_env, proxy, cloudwatch_metric_alarms) for key, value in vars(module).items()
             if key.endswith("_VARIABLE") and isinstance(value, str)}
    for name, props in _functions().items():
        variables = props["Environment"]["Variables"]
        for variable in variables:
            assert variable in known or variable.startswith("POWERTOOLS_"), f"{name}: {variable} is read by nothing"
    service = _functions()["RemediationFunction"]["Environment"]["Variables"]
    for required in (lambda_env.STATE_TABLE_VARIABLE, lambda_env.IDEMPOTENCY_TABLE_VARIABLE,
                     lambda_env.DRY_RUN_VARIABLE, lambda_env.ROLE_NAME_VARIABLE):
        assert required in service
    assert lambda_env.ARCHIVE_POLICY_VARIABLE in _functions()["NormaliseFunction"]["Environment"]["Variables"]


def test_the_idempotency_table_is_the_one_powertools_expects() -> None:
    table = load_template(SERVICE)["Resources"]["IdempotencyTable"]["Properties"]
    assert table["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expiration", "Enabled": True}
    state = load_template(SERVICE)["Resources"]["StateTable"]["Properties"]
    assert state["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]  # guards.DynamoDBStateStore
    assert state["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}



def test_the_proxy_waits_longer_than_the_remediation_function_may_run_and_ends_after_it(moto_aws) -> None:
    remediation = _functions()["RemediationFunction"]["Timeout"]
    proxy_timeout = _functions()["ProxyFunction"]["Timeout"]
    assert remediation == lambda_env.REMEDIATION_TIMEOUT_SECONDS
    assert remediation < lambda_env.INVOKE_READ_TIMEOUT_SECONDS < proxy_timeout
    assert lambda_env.lambda_client().meta.config.read_timeout == lambda_env.INVOKE_READ_TIMEOUT_SECONDS
