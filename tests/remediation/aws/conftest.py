"""The three accounts in moto, the stacks' Lambdas and state machine made from the
templates' own properties, and every Lambda answered by the project's real handler.

- moto executes the ASL (`{"stepfunctions": {"execute_state_machine": true}}`) in the
  Security account: moto runs state machines, and their Lambda and SNS calls, as its
  default account, so that is the Security account here.
- moto cannot run Lambda code without Docker, so `InProcessLambdas` replaces moto's
  Lambda invoke: it imports the function's Handler (from the template) and calls it in
  this process, with the function's environment (from the template) and the credentials
  of its execution role in its own account. A raised error comes back as Lambda's
  `{"errorType", "errorMessage"}` with the function-error flag, so the ASL's Retry and
  Catch see it as they would in AWS. An invoke of another account's function is routed
  there and allowed only when that function's resource policy names the caller's role.
- Security Hub is the local hub (pipeline/hub) over HTTP; its quota hook throttles on cue.
"""
from __future__ import annotations

import ast
import contextlib
import importlib
import io
import json
import os
import re
import threading
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import boto3
import botocore.loaders
import botocore.session
import pytest

moto = pytest.importorskip("moto")

from moto.awslambda import models as lambda_models  # noqa: E402
from moto.awslambda import responses as lambda_responses  # noqa: E402
from moto.core.exceptions import JsonRESTError  # noqa: E402
from moto.iam.models import iam_backends  # noqa: E402
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl  # noqa: E402
from moto.sts import responses as sts_responses  # noqa: E402
from moto.sts.exceptions import STSClientError  # noqa: E402
from moto.sts.models import sts_backends  # noqa: E402

from pipeline.hub import LocalHub, start_local_hub  # noqa: E402
from pipeline.hub.quota import Quota  # noqa: E402
from tests.aws_files import TEMPLATES, load_template  # noqa: E402
from tests.remediation.aws.samples import REGION  # noqa: E402

SECURITY_ACCOUNT = "123456789012"  # moto's default account: where moto runs the state machine
SERVICE_ACCOUNT = "210987654321"
MEMBER_ACCOUNT = "111122223333"
ORGANIZATION_ID = "o-a1b2c3d4e5"
PARTITION = "aws"
ASL = TEMPLATES / "statemachines" / "remediation.asl.json"
HANDLER_MODULES = ("lambdas.normalise", "lambdas.archive", "lambdas.proxy", "lambdas.record", "lambdas.remediate")
CODE = {"S3Bucket": "secpipe-code", "S3Key": "secpipe/lambdas.zip"}

SECURITY_PARAMETERS = {
    "NamePrefix": "secpipe-remediation", "ServiceAccountId": SERVICE_ACCOUNT,
    "RemediationFunctionName": "secpipe-remediation", "RemediationFunctionQualifier": "live",
    "ArchivePolicy": "{}", "NotificationEmail": "", "CodeBucket": CODE["S3Bucket"], "CodeKey": CODE["S3Key"],
    "DefinitionKey": "secpipe/remediation.asl.json", "LogRetentionDays": "365",
}
SERVICE_PARAMETERS = {
    "FunctionName": "secpipe-remediation", "SecurityAccountId": SECURITY_ACCOUNT,
    "ProxyRoleName": "secpipe-remediation-proxy", "OrganizationId": ORGANIZATION_ID,
    "MemberRoleName": "secpipe-remediation", "DryRun": "false", "IdempotencySeconds": "3600",
    "CodeBucket": CODE["S3Bucket"], "CodeKey": CODE["S3Key"], "LogRetentionDays": "365",
}
HARNESS_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}  # moto: the default account
PSEUDO = {"AWS::Partition": PARTITION, "AWS::Region": REGION, "AWS::URLSuffix": "amazonaws.com"}


# --- the templates' values ----------------------------------------------------------------------


def resolve(node: Any, scope: dict[str, Any]) -> Any:
    """A template value with Ref, Fn::GetAtt and Fn::Sub filled in from scope
    (parameters, pseudo parameters, "Logical" and "Logical.Attribute" names)."""
    if isinstance(node, dict) and len(node) == 1:
        ((key, value),) = node.items()
        if key == "Ref":
            return scope[value]
        if key == "Fn::GetAtt":
            return scope[".".join(value)]
        if key == "Fn::Sub":
            text, extra = (value, {}) if isinstance(value, str) else (value[0], resolve(value[1], scope))
            return substitute(text, {**scope, **extra})
    if isinstance(node, dict):
        return {key: resolve(value, scope) for key, value in node.items()}
    if isinstance(node, list):
        return [resolve(value, scope) for value in node]
    return node


def substitute(text: str, values: dict[str, Any]) -> str:
    """`${Name}` -> value, as Fn::Sub and DefinitionSubstitutions do."""
    return re.sub(r"\$\{([^}!]+)\}", lambda match: str(values[match[1]]), text)


def properties(template: dict[str, Any], logical: str, scope: dict[str, Any], *names: str) -> dict[str, Any]:
    """Some properties of one resource, resolved (the others may name resources moto does not hold)."""
    props = template["Resources"][logical]["Properties"]
    return {name: resolve(props[name], scope) for name in names}


def _scope(template: dict[str, Any], parameters: dict[str, str], account: str) -> dict[str, Any]:
    scope: dict[str, Any] = {**PSEUDO, "AWS::AccountId": account, **parameters}
    for name, spec in template.get("Parameters", {}).items():
        scope.setdefault(name, spec.get("Default"))
    return scope


# --- accounts -----------------------------------------------------------------------------------


def session_in(account: str, role_name: str = "admin") -> boto3.session.Session:
    """Credentials of a role in `account` (moto switches account on AssumeRole)."""
    sts = boto3.client("sts", region_name=REGION, **HARNESS_CREDENTIALS)
    creds = sts.assume_role(RoleArn=f"arn:{PARTITION}:iam::{account}:role/{role_name}",
                            RoleSessionName="test")["Credentials"]
    return boto3.session.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                                 aws_session_token=creds["SessionToken"], region_name=REGION)


@pytest.fixture
def moto_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in [name for name in os.environ if name.startswith("AWS_ENDPOINT_URL")] + ["AWS_PROFILE"]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_REGION", REGION)
    # Every handler, and the harness for every invocation, makes fresh boto3 sessions; one shared
    # loader spares each of them re-reading the service models (most of these tests' time otherwise).
    shared_loader = botocore.loaders.create_loader()
    monkeypatch.setattr(botocore.session, "create_loader", lambda *args, **kwargs: shared_loader)
    with moto.mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        yield


# --- Lambda, in process -------------------------------------------------------------------------


@dataclass
class LambdaContext:
    """What the Lambda runtime hands a handler (Powertools reads these)."""

    function_name: str
    invoked_function_arn: str
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 256
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = ""
    log_stream_name: str = "test"

    def get_remaining_time_in_millis(self) -> int:
        return 300_000


@dataclass
class Invocation:
    function: str
    event: Any
    answer: Any
    error: bool


class LambdaThrottled(JsonRESTError):
    """What Lambda answers when the function's concurrency is used up (HTTP 429)."""

    code = 429

    def __init__(self) -> None:
        super().__init__("TooManyRequestsException", "Rate Exceeded.")


class InProcessLambdas:
    def __init__(self) -> None:
        self.invocations: list[Invocation] = []
        self.throttle_next: dict[str, int] = {}  # function name -> invokes Lambda refuses (429) first
        self.extra_environment: dict[str, dict[str, str]] = {}  # function name -> test-only variables
        self._lock = threading.RLock()  # handlers share os.environ: one at a time (nested calls re-enter)

    def calls_of(self, function: str) -> list[Invocation]:
        return [call for call in self.invocations if call.function == function]

    def respond(self, response: Any) -> tuple[int, dict[str, str], bytes]:
        """moto's Invoke, answered here (moto reads the Qualifier query parameter under another name)."""
        function_name = unquote(response.path.rsplit("/", 2)[-2])
        qualifier = (response.querystring.get("Qualifier") or [None])[0]
        headers: dict[str, str] = {"content-type": "application/json"}
        payload = self.invoke(response.backend, function_name, qualifier, response.body, response.headers, headers)
        return 200, headers, payload

    def invoke(self, backend: Any, function_name: str, qualifier: str | None, body: Any, headers: Any,
               response_headers: dict[str, str]) -> bytes:
        account = _account_of(function_name) or backend.account_id
        owner = lambda_models.lambda_backends[account][backend.region_name]
        function = owner.get_function(function_name, qualifier)
        if account != backend.account_id:
            _require_invoke_permission(owner, function, qualifier, _caller_role(headers, backend.account_id))
        name = function.function_name
        with self._lock:
            if self.throttle_next.get(name, 0) > 0:
                self.throttle_next[name] -= 1
                raise LambdaThrottled()
            call = Invocation(name, json.loads(body) if body else {}, None, False)
            self.invocations.append(call)  # in the order they started (the Proxy's call nests in it)
            answer, failed = self._run(function, call.event)
            call.answer, call.error = answer, failed
        if failed:
            response_headers["x-amz-function-error"] = "Unhandled"
        payload = json.dumps(answer).encode("utf-8")
        response_headers["Content-Length"] = str(len(payload))
        return payload

    def _run(self, function: Any, event: Any) -> tuple[Any, bool]:
        module_name, handler_name = function.handler.rsplit(".", 1)
        context = LambdaContext(function.function_name, function.function_arn, log_group_name=f"/aws/lambda/{function.function_name}")
        with _environment(_runtime_environment(function) | self.extra_environment.get(function.function_name, {})):
            handler = getattr(importlib.import_module(module_name), handler_name)
            try:
                return handler(event, context), False
            except Exception as exc:  # the Lambda runtime's answer for an unhandled error
                return {"errorType": type(exc).__name__, "errorMessage": str(exc)}, True


def _account_of(function_name: str) -> str | None:
    match = re.match(r"arn:[^:]+:lambda:[^:]+:(\d{12}):function:", function_name)
    return match[1] if match else None


def _caller_role(headers: Any, account: str) -> str:
    """The role ARN behind the request's access key (moto keeps assumed roles per account)."""
    match = re.search(r"Credential=([^/]+)/", headers.get("Authorization", ""))
    assumed = sts_backends[account][PARTITION].get_assumed_role_from_access_key(match[1]) if match else None
    return assumed.role_arn if assumed else f"arn:{PARTITION}:iam::{account}:root"


def _require_invoke_permission(owner: Any, function: Any, qualifier: str | None, caller: str) -> None:
    """Lambda's resource policy: an Allow of lambda:InvokeFunction for this caller on this
    qualified ARN (a permission on the alias does not open $LATEST)."""
    unqualified = function.function_arn.rsplit(":", 1)[0] if function.function_arn.count(":") > 6 else function.function_arn
    wanted = f"{unqualified}:{qualifier}" if qualifier else unqualified
    try:
        statements = json.loads(json.loads(owner.get_policy(function.function_name, qualifier))["Policy"])["Statement"]
    except Exception:  # no policy at all
        statements = []
    for statement in statements:
        principal = statement.get("Principal")
        principal = principal.get("AWS") if isinstance(principal, dict) else principal
        principals = principal if isinstance(principal, list) else [principal]
        if (statement.get("Effect") == "Allow" and statement.get("Action") == "lambda:InvokeFunction"
                and caller in principals and statement.get("Resource") == wanted):
            return
    raise JsonRESTError("AccessDeniedException", f"{caller} is not allowed to invoke {wanted}")


def _runtime_environment(function: Any) -> dict[str, str]:
    """The function's variables plus what the Lambda runtime sets, with its role's credentials."""
    account = function.account_id
    # The harness's own credentials, not those of a handler this call nests in (os.environ holds those).
    role = boto3.client("sts", region_name=REGION, **HARNESS_CREDENTIALS).assume_role(
        RoleArn=function.role, RoleSessionName=function.function_name)["Credentials"]
    assert function.role.split(":")[4] == account
    return {**function.environment_vars, "AWS_ACCESS_KEY_ID": role["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": role["SecretAccessKey"], "AWS_SESSION_TOKEN": role["SessionToken"],
            "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION, "AWS_LAMBDA_FUNCTION_NAME": function.function_name}


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    saved_session = boto3.DEFAULT_SESSION  # boto3.client() keeps the credentials it first saw in it
    os.environ.update(values)
    boto3.DEFAULT_SESSION = None
    try:
        yield
    finally:
        boto3.DEFAULT_SESSION = saved_session
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _forget_cold_starts() -> None:
    """Each test is a fresh deployment: the handlers' per-container state is dropped."""
    for name in HANDLER_MODULES:
        importlib.import_module(name).container.cache_clear()


@pytest.fixture
def lambdas(moto_aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[InProcessLambdas]:
    runner = InProcessLambdas()
    monkeypatch.setattr(lambda_responses.LambdaResponse, "invoke", lambda response: runner.respond(response))
    _forget_cold_starts()
    yield runner
    _forget_cold_starts()


@dataclass
class RetryWaits:
    """The intervals moto's ASL Retry asked to sleep, recorded instead of slept (no timed tests)."""

    seconds: list[float] = field(default_factory=list)

    def sleep(self, interval: float) -> None:
        self.seconds.append(interval)


@pytest.fixture
def retry_waits(monkeypatch: pytest.MonkeyPatch) -> RetryWaits:
    waits = RetryWaits()
    clock = type("Clock", (), {"sleep": staticmethod(waits.sleep), "time": staticmethod(time.time)})
    monkeypatch.setattr(retrier_decl, "time", clock)
    return waits


# --- STS: trust policies honoured ---------------------------------------------------------------


@dataclass
class TrustPolicies:
    """moto lets anyone assume any role; this makes AssumeRole of a role that exists honour
    its trust policy (AWS principals, and aws:PrincipalOrgID with every test account in
    ORGANIZATION_ID). Callers that assumed no role are the test harness playing AWS
    services (Lambda assuming a function's role): they pass a Service principal."""

    assumed: list[tuple[str, str]] = field(default_factory=list)  # (caller, role)

    def assume_role(self, response: Any, original: Callable[[Any], Any]) -> Any:
        role_arn = response._get_param("RoleArn")
        caller = _caller_role(response.headers, response.current_account)
        trust = _trust_policy(role_arn)
        if trust is not None and not _trusts(trust, caller):
            raise STSClientError("AccessDenied", f"User: {caller} is not authorized to perform: sts:AssumeRole on "
                                                 f"resource: {role_arn}")
        self.assumed.append((caller, role_arn))
        return original(response)


def _trust_policy(role_arn: str) -> dict[str, Any] | None:
    account = role_arn.split(":")[4]
    try:
        role = iam_backends[account][PARTITION].get_role_by_arn(role_arn)
    except Exception:  # a role that was never created (the harness's own "admin" sessions)
        return None
    document = role.assume_role_policy_document
    if isinstance(document, str):
        # moto keeps a CloudFormation-made document as the dict's repr, an API-made one as JSON.
        document = ast.literal_eval(document) if document.startswith("{'") else json.loads(document)
    return document


def _trusts(document: dict[str, Any], caller: str) -> bool:
    assumed_a_role = ":role/" in caller
    for statement in document["Statement"]:
        if statement["Effect"] != "Allow" or "sts:AssumeRole" not in _listed(statement["Action"]):
            continue
        principal = statement["Principal"]
        if not assumed_a_role and "Service" in principal:
            return True
        if caller in _listed(principal.get("AWS", [])) and _conditions_hold(statement.get("Condition", {})):
            return True
    return False


def _conditions_hold(conditions: dict[str, Any]) -> bool:
    for operator, pairs in conditions.items():
        for key, expected in pairs.items():
            if (operator, key) != ("StringEquals", "aws:PrincipalOrgID"):
                raise AssertionError(f"the test's trust check does not evaluate {operator} {key}")
            if expected != ORGANIZATION_ID:
                return False
    return True


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@pytest.fixture
def trust(moto_aws: None, monkeypatch: pytest.MonkeyPatch) -> TrustPolicies:
    policies = TrustPolicies()
    original = sts_responses.TokenResponse.assume_role
    monkeypatch.setattr(sts_responses.TokenResponse, "assume_role",
                        lambda response: policies.assume_role(response, original))
    return policies


# --- Security Hub: the local hub ------------------------------------------------------------------


class ScriptedQuota(Quota):
    """Refuses the next N calls of an operation (TooManyRequestsException), then allows all."""

    def __init__(self) -> None:
        super().__init__(rates={})
        self.refuse: dict[str, int] = {}
        self.refused: dict[str, int] = {}

    def allow(self, operation: str) -> bool:
        if self.refuse.get(operation, 0) > 0:
            self.refuse[operation] -= 1
            self.refused[operation] = self.refused.get(operation, 0) + 1
            return False
        return True


@dataclass
class Hub:
    hub: LocalHub
    quota: ScriptedQuota
    client: Any

    def import_findings(self, findings: list[dict[str, Any]]) -> None:
        reply = self.client.batch_import_findings(Findings=findings)
        assert reply["FailedCount"] == 0, reply["FailedFindings"]

    def finding(self, finding_id: str) -> dict[str, Any]:
        (found,) = self.client.get_findings(Filters={"Id": [{"Value": finding_id, "Comparison": "EQUALS"}]})["Findings"]
        return found


@pytest.fixture
def hub(tmp_path: Path, moto_aws: None) -> Iterator[Hub]:
    quota = ScriptedQuota()
    with start_local_hub(tmp_path / "hub.sqlite3", quota=quota) as running:
        client = boto3.client("securityhub", endpoint_url=running.endpoint_url, region_name=REGION,
                              aws_access_key_id="x", aws_secret_access_key="x")
        yield Hub(running, quota, client)


# --- the three stacks, as moto can hold them ------------------------------------------------------


@dataclass
class Deployment:
    security: boto3.session.Session
    service: boto3.session.Session
    member: boto3.session.Session
    state_machine_arn: str
    topic_arn: str
    notifications_queue_url: str
    functions: dict[str, str]  # logical id -> function name
    lambdas: InProcessLambdas
    hub: Hub
    member_role_arn: str
    trust: TrustPolicies

    def start(self, event: dict[str, Any]) -> str:
        """Start an execution, named (as EventBridge names none, tests do, to find it)."""
        name = f"test-{uuid.uuid4()}"
        return self.security.client("stepfunctions").start_execution(
            stateMachineArn=self.state_machine_arn, name=name, input=json.dumps(event))["executionArn"]

    def wait(self, execution_arn: str, polls: int = 2400) -> dict[str, Any]:
        """Poll until the execution ends (moto runs it in a thread)."""
        sfn = self.security.client("stepfunctions")
        for _ in range(polls):
            described = sfn.describe_execution(executionArn=execution_arn)
            if described["status"] != "RUNNING":
                return described
            time.sleep(0.05)
        raise AssertionError(f"{execution_arn} still RUNNING after {polls} polls")

    def run(self, event: dict[str, Any]) -> dict[str, Any]:
        return self.wait(self.start(event))

    def history(self, execution_arn: str) -> list[dict[str, Any]]:
        sfn = self.security.client("stepfunctions")
        return sfn.get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]

    def notifications(self) -> list[dict[str, str]]:
        """Messages published on the failure topic (read from its SQS subscription)."""
        sqs = self.security.client("sqs")
        found = []
        for _ in range(5):
            reply = sqs.receive_message(QueueUrl=self.notifications_queue_url, MaxNumberOfMessages=10)
            messages = reply.get("Messages", [])
            if not messages:
                break
            for message in messages:
                envelope = json.loads(message["Body"])
                found.append({"Subject": envelope.get("Subject", ""), "Message": envelope["Message"]})
                sqs.delete_message(QueueUrl=self.notifications_queue_url, ReceiptHandle=message["ReceiptHandle"])
        return found


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("lambdas/__init__.py", "")  # moto stores the code; the handler runs from this checkout
    return buffer.getvalue()


def _lambda_role(iam: Any, name: str) -> str:
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                      "Action": "sts:AssumeRole"}]}
    return iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]


def _create_function(session: boto3.session.Session, template: dict[str, Any], logical: str, role_arn: str,
                     scope: dict[str, Any]) -> dict[str, Any]:
    props = properties(template, logical, scope, "FunctionName", "Runtime", "Handler", "Timeout", "MemorySize",
                       "Environment")
    return session.client("lambda").create_function(
        FunctionName=props["FunctionName"], Runtime=props["Runtime"], Handler=props["Handler"], Role=role_arn,
        Code={"ZipFile": _zip()}, Timeout=props["Timeout"], MemorySize=props["MemorySize"],
        Environment={"Variables": props["Environment"]["Variables"]})


def _create_table(session: boto3.session.Session, template: dict[str, Any], logical: str,
                  scope: dict[str, Any]) -> str:
    props = properties(template, logical, scope, "TableName", "KeySchema", "AttributeDefinitions", "BillingMode")
    session.client("dynamodb").create_table(TableName=props["TableName"], KeySchema=props["KeySchema"],
                                            AttributeDefinitions=props["AttributeDefinitions"],
                                            BillingMode=props["BillingMode"])
    return props["TableName"]


def deploy_service(service: boto3.session.Session, parameters: dict[str, str]) -> dict[str, str]:
    template = load_template("remediation-service-account.yaml")
    scope = _scope(template, parameters, SERVICE_ACCOUNT)
    for logical in ("IdempotencyTable", "StateTable"):
        scope[logical] = _create_table(service, template, logical, scope)
    role_name = properties(template, "RemediationRole", scope, "RoleName")["RoleName"]
    role_arn = _lambda_role(service.client("iam"), role_name)
    function = _create_function(service, template, "RemediationFunction", role_arn, scope)
    scope["RemediationFunction"] = function["FunctionName"]
    lambda_client = service.client("lambda")
    version = lambda_client.publish_version(FunctionName=function["FunctionName"])["Version"]
    alias = properties(template, "RemediationAlias", scope, "Name")["Name"]
    scope["RemediationAlias"] = lambda_client.create_alias(FunctionName=function["FunctionName"], Name=alias,
                                                           FunctionVersion=version)["AliasArn"]
    permission = properties(template, "ProxyMayInvoke", scope, "Action", "Principal")
    lambda_client.add_permission(FunctionName=function["FunctionName"], Qualifier=alias, StatementId="proxy",
                                 Action=permission["Action"], Principal=permission["Principal"])
    return {"RemediationFunction": function["FunctionName"], "RemediationRole": role_arn}


def deploy_member_role(member: boto3.session.Session) -> str:
    """The member role as StackSets would create it: the template, through moto's CloudFormation."""
    member.client("cloudformation").create_stack(
        StackName="StackSet-secpipe-remediation-member-role", TemplateBody=json.dumps(load_template("remediation-member-role.yaml")),
        Capabilities=["CAPABILITY_NAMED_IAM"],
        Parameters=[{"ParameterKey": "ServiceAccountId", "ParameterValue": SERVICE_ACCOUNT},
                    {"ParameterKey": "OrganizationId", "ParameterValue": ORGANIZATION_ID}])
    outputs = member.client("cloudformation").describe_stacks(StackName="StackSet-secpipe-remediation-member-role")
    (output,) = outputs["Stacks"][0]["Outputs"]
    return output["OutputValue"]


def deploy_security(security: boto3.session.Session, parameters: dict[str, str]) -> dict[str, Any]:
    template = load_template("remediation-security-account.yaml")
    scope = _scope(template, parameters, SECURITY_ACCOUNT)
    topic = properties(template, "FailureTopic", scope, "TopicName")
    scope["FailureTopic"] = security.client("sns").create_topic(Name=topic["TopicName"])["TopicArn"]
    iam = security.client("iam")
    functions = {}
    for logical, role in (("NormaliseFunction", "NormaliseRole"), ("ArchiveFunction", "ArchiveRole"),
                          ("ProxyFunction", "ProxyRole"), ("RecordFunction", "RecordRole")):
        named = "RoleName" in template["Resources"][role]["Properties"]
        role_name = properties(template, role, scope, "RoleName")["RoleName"] if named else f"test-{role}"
        role_arn = _lambda_role(iam, role_name)
        created = _create_function(security, template, logical, role_arn, scope)
        scope[f"{logical}.Arn"] = created["FunctionArn"]
        functions[logical] = created["FunctionName"]
    machine = properties(template, "RemediationStateMachine", scope, "StateMachineName", "StateMachineType",
                         "DefinitionSubstitutions")
    definition = substitute(ASL.read_text(encoding="utf-8"), machine["DefinitionSubstitutions"])
    arn = security.client("stepfunctions").create_state_machine(
        name=machine["StateMachineName"], definition=definition, type=machine["StateMachineType"],
        roleArn=f"arn:{PARTITION}:iam::{SECURITY_ACCOUNT}:role/state-machine")["stateMachineArn"]
    return {"state_machine_arn": arn, "topic_arn": scope["FailureTopic"], "functions": functions}


@pytest.fixture
def deploy(lambdas: InProcessLambdas, hub: Hub, retry_waits: RetryWaits, trust: TrustPolicies,
           tmp_path: Path) -> Callable[..., Deployment]:
    """Deploy the Service stack, the Security stack and the member role (the README's order) into moto."""

    def make(archive_policy: str = "{}", dry_run: str = "false") -> Deployment:
        security = boto3.session.Session(region_name=REGION)
        service = session_in(SERVICE_ACCOUNT)
        member = session_in(MEMBER_ACCOUNT)
        deploy_service(service, {**SERVICE_PARAMETERS, "DryRun": dry_run})
        made = deploy_security(security, {**SECURITY_PARAMETERS, "ArchivePolicy": archive_policy})
        member_role = deploy_member_role(member)
        for logical in ("ArchiveFunction", "RecordFunction"):
            # Test-only: the hub is the local one; one attempt per run so throttling reaches the ASL's Retry.
            lambdas.extra_environment[made["functions"][logical]] = {
                "SECPIPE_SECURITYHUB_ENDPOINT": hub.hub.endpoint_url, "SECPIPE_SECURITYHUB_ATTEMPTS": "1"}
        lambdas.extra_environment[SERVICE_PARAMETERS["FunctionName"]] = {"SECPIPE_RECORDS_DIR": str(tmp_path / "records")}
        sqs = security.client("sqs")
        queue_url = sqs.create_queue(QueueName="failure-notifications")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        security.client("sns").subscribe(TopicArn=made["topic_arn"], Protocol="sqs", Endpoint=queue_arn)
        return Deployment(security=security, service=service, member=member,
                          state_machine_arn=made["state_machine_arn"], topic_arn=made["topic_arn"],
                          notifications_queue_url=queue_url, functions=made["functions"], lambdas=lambdas, hub=hub,
                          member_role_arn=member_role, trust=trust)

    return make
