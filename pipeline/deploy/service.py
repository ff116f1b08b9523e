"""A deployment: parameters checked against the template, a bootstrap stack when the
stack is new, the package uploaded, then the full template as a change set that is shown
before it runs (a dry run shows it and runs nothing)."""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from botocore.exceptions import BotoCoreError, ClientError

from pipeline.deploy import changeset
from pipeline.deploy.errors import DeployError
from pipeline.deploy.template import BUCKET_RESOURCE, INLINE_TEMPLATE_LIMIT, bootstrap_template, load_template, parameter_names
from pipeline.deploy.upload import package_uploads, template_upload, upload
from pipeline.errors import ConfigError
from pipeline.packaging.manifest import Manifest, read_manifest

# Parameters the package decides; a --parameters value for them would unpin the wheel.
PACKAGE_PARAMETERS = ("PackagePrefix", "WheelFile", "WheelSha256")


@dataclass(frozen=True)
class DeployRequest:
    stack: str
    template: Path
    package: Path
    parameters: dict[str, str] = field(default_factory=dict)
    dry_run: bool = False
    wait: changeset.WaitSettings = changeset.WaitSettings()


@dataclass(frozen=True)
class Clients:
    cloudformation: Any
    s3: Any
    region: str
    s3_endpoint: str | None = None  # a non-AWS S3 (moto) for the template URL


def parse_parameters(pairs: list[str]) -> dict[str, str]:
    parsed = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ConfigError(f"--parameters {pair!r}: use KEY=VALUE")
        if key in parsed:
            raise ConfigError(f"--parameters {key} given twice")
        parsed[key] = value
    return parsed


def deploy(request: DeployRequest, clients: Clients, say: Callable[[str], None] = print) -> int:
    try:
        return _deploy(request, clients, say)
    except (ClientError, BotoCoreError) as exc:  # any AWS refusal not handled where it happened
        message = exc.response.get("Error", {}).get("Message", str(exc)) if isinstance(exc, ClientError) else str(exc)
        raise DeployError(f"deploying {request.stack} failed: {message}") from None


def change_set_parameters(given: dict[str, str], previous: set[str], declared: set[str]) -> list[dict[str, Any]]:
    """The values given, and for every other parameter the stack already has, its previous value."""
    values: list[dict[str, Any]] = [{"ParameterKey": k, "ParameterValue": v} for k, v in sorted(given.items())]
    values += [{"ParameterKey": k, "UsePreviousValue": True} for k in sorted((previous & declared) - set(given))]
    return values


def _deploy(request: DeployRequest, clients: Clients, say: Callable[[str], None]) -> int:
    manifest = read_manifest(request.package)
    template = load_template(request.template)
    parameters = _parameters(request.parameters, manifest, parameter_names(template))
    stack = _describe(clients.cloudformation, request.stack)
    if stack is None and request.dry_run:
        return _plan_new_stack(request, template, say)
    if stack is None:
        stack = _bootstrap(request, clients, template, parameters, say)
    bucket, key_id = _bucket_and_key(clients, request.stack)
    template_file = template_upload(request.template, manifest)
    uploads = [template_file] if request.dry_run else [*package_uploads(request.package, manifest), template_file]
    written = upload(clients.s3, bucket, key_id, uploads)
    say(f"uploaded {len(written)} file(s) to s3://{bucket}/{manifest.prefix}/ "
        f"({len(uploads) - len(written)} already there)")
    previous = {p["ParameterKey"] for p in stack.get("Parameters") or []}
    full = change_set_parameters(parameters, previous, parameter_names(template))
    change_set = changeset.create(clients.cloudformation, request.stack, "UPDATE",
                                  {"TemplateURL": _url(clients, bucket, template_file.key)}, full, request.wait)
    if change_set is None:
        say(f"stack {request.stack} is up to date: the change set would change nothing")
        return 0
    for line in change_set.describe():
        say(line)
    if request.dry_run:
        changeset.discard(clients.cloudformation, change_set)
        say("dry run: change set deleted, nothing executed")
        return 0
    changeset.execute(clients.cloudformation, change_set, request.wait, say)
    say(f"stack {request.stack}: deployed package {manifest.prefix}")
    return 0


def _parameters(given: dict[str, str], manifest: Manifest, declared: set[str]) -> dict[str, str]:
    fixed = [key for key in given if key in PACKAGE_PARAMETERS]
    if fixed:
        raise ConfigError(f"--parameters {fixed[0]}: set from the package's manifest.json, not by hand")
    unknown = sorted(set(given) - declared)
    if unknown:
        raise ConfigError(f"--parameters {unknown[0]}: the template has no such parameter")
    package = {"PackagePrefix": manifest.prefix, "WheelFile": manifest.wheel.path, "WheelSha256": manifest.wheel.sha256}
    return {**given, **{key: value for key, value in package.items() if key in declared}}


def _describe(cloudformation: Any, stack: str) -> dict[str, Any] | None:
    try:
        (found,) = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    except ClientError as exc:
        if "does not exist" in str(exc):
            return None
        raise DeployError(f"cannot read stack {stack}: {exc.response.get('Error', {}).get('Message', exc)}") from None
    if found["StackStatus"] == "REVIEW_IN_PROGRESS":
        return None  # a CREATE change set that never ran: nothing exists yet
    return found


def _plan_new_stack(request: DeployRequest, template: dict[str, Any], say: Callable[[str], None]) -> int:
    bootstrap = bootstrap_template(template)
    say(f"stack {request.stack} does not exist; a deployment would")
    say(f"  1. create it with {', '.join(bootstrap['Resources'])} (change set shown before it runs)")
    say("  2. upload the package to the new bucket")
    say(f"  3. update it to the full template: {len(template['Resources'])} resources (change set shown first)")
    say("dry run: nothing created")
    return 0


def _bootstrap(request: DeployRequest, clients: Clients, template: dict[str, Any], parameters: dict[str, str],
               say: Callable[[str], None]) -> dict[str, Any]:
    bootstrap = bootstrap_template(template)
    body = json.dumps(bootstrap, separators=(",", ":"))
    if len(body) > INLINE_TEMPLATE_LIMIT:
        raise ConfigError(f"the bootstrap part of {request.template} is larger than CloudFormation's inline limit")
    wanted = set(bootstrap["Parameters"])
    values = [{"ParameterKey": k, "ParameterValue": v} for k, v in sorted(parameters.items()) if k in wanted]
    say(f"stack {request.stack} is new: creating its key and artifact bucket first")
    change_set = changeset.create(clients.cloudformation, request.stack, "CREATE", {"TemplateBody": body}, values,
                                  request.wait)
    if change_set is None:
        raise DeployError(f"CloudFormation made an empty change set for the new stack {request.stack}")
    for line in change_set.describe():
        say(line)
    changeset.execute(clients.cloudformation, change_set, request.wait, say)
    found = _describe(clients.cloudformation, request.stack)
    if found is None:
        raise DeployError(f"stack {request.stack} vanished after its creation")
    return found


def _bucket_and_key(clients: Clients, stack: str) -> tuple[str, str]:
    """The artifact bucket (the stack's ArtifactBucket) and the KMS key it encrypts with by
    default (the pipeline key): the uploads name that key, as the bucket policy asks."""
    resources = {}
    token = None
    while True:
        page = clients.cloudformation.list_stack_resources(StackName=stack, **({"NextToken": token} if token else {}))
        resources.update({r["LogicalResourceId"]: r["PhysicalResourceId"] for r in page["StackResourceSummaries"]})
        token = page.get("NextToken")
        if not token:
            break
    bucket = resources.get(BUCKET_RESOURCE)
    if not bucket:
        raise DeployError(f"stack {stack} has no {BUCKET_RESOURCE}: is it a secpipe pipeline stack?")
    try:
        rules = clients.s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    except ClientError as exc:
        raise DeployError(f"cannot read the encryption of s3://{bucket}: "
                          f"{exc.response.get('Error', {}).get('Message', exc)}") from None
    keys = [rule["ApplyServerSideEncryptionByDefault"].get("KMSMasterKeyID") for rule in rules
            if rule.get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm") == "aws:kms"]
    if not keys or not keys[0]:
        raise DeployError(f"s3://{bucket} is not encrypted with a KMS key by default: is it a secpipe artifact bucket?")
    return bucket, keys[0]


def _url(clients: Clients, bucket: str, key: str) -> str:
    if clients.s3_endpoint:
        return f"{clients.s3_endpoint.rstrip('/')}/{bucket}/{quote(key)}"
    return f"https://{bucket}.s3.{clients.region}.amazonaws.com/{quote(key)}"
