"""The shipped templates publish from CodeBuild (`secpipe scan --hub securityhub`), so they must
not also feed the archived reports to the ingest Lambda: the same findings would be published twice
(lambdas/README.md, "When to use it")."""
from __future__ import annotations

import json
from typing import Any

import pytest

from tests.aws_files import TEMPLATES, load_template, walk

TEMPLATE_NAMES = sorted(path.name for path in TEMPLATES.glob("*.yaml"))
# Resource types that would run or invoke a function.
LAMBDA_TYPES = ("AWS::Lambda::", "AWS::Serverless::", "AWS::Pipes::Pipe")


def _resources(name: str) -> dict[str, dict[str, Any]]:
    return load_template(name).get("Resources", {})


def test_the_templates_are_found() -> None:
    assert "pipeline.yaml" in TEMPLATE_NAMES


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_no_lambda_function_or_invoke_permission(name: str) -> None:
    found = {logical: r["Type"] for logical, r in _resources(name).items() if r["Type"].startswith(LAMBDA_TYPES)}
    if name.startswith("remediation-"):
        # The remediation stacks run their own handlers (README, "Remediation in AWS"); none may be the ingest one.
        found = {logical: kind for logical, kind in found.items() if "ingest" in json.dumps(_resources(name)[logical])}
    assert not found, f"{name} deploys {found}; the archived reports are already published from CodeBuild"


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_no_bucket_notifies_a_function_queue_or_topic(name: str) -> None:
    for logical, resource in _resources(name).items():
        if resource["Type"] != "AWS::S3::Bucket":
            continue
        notification = resource.get("Properties", {}).get("NotificationConfiguration", {})
        direct = {k for k in notification if k in ("LambdaConfigurations", "QueueConfigurations", "TopicConfigurations")}
        assert not direct, f"{name}: {logical} sends object events to {direct}"


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_no_eventbridge_rule_on_s3_object_events(name: str) -> None:
    for logical, resource in _resources(name).items():
        if resource["Type"] != "AWS::Events::Rule":
            continue
        pattern = resource.get("Properties", {}).get("EventPattern", {})
        sources = pattern.get("source", []) if isinstance(pattern, dict) else []
        assert "aws.s3" not in sources, f"{name}: rule {logical} reacts to S3 object events"
        targets = [value for path, value in walk(resource.get("Properties", {}).get("Targets", []))
                   if path.endswith("/Arn")]
        assert not any(":lambda:" in str(target) for target in targets), f"{name}: rule {logical} invokes a function"
