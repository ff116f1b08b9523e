"""Reading the AWS-side files the tests check: CloudFormation templates (with the
short-form !Ref/!Sub/... tags) and CodeBuild buildspecs, plus the few walks over
them that several tests share."""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import yaml

from pipeline.deploy import template
from tests.conftest import PROJECT

BUILDSPECS = PROJECT / "buildspecs"
TEMPLATES = PROJECT / "cloudformation"
STAGE_BUILDSPECS = {"sca": "sca.yml", "sast": "sast.yml", "iac": "iac.yml", "dast": "dast.yml"}
ALL_BUILDSPECS = [*STAGE_BUILDSPECS.values(), "approval.yml"]

_VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")


def load_template(name: str) -> dict[str, Any]:
    """A template as `secpipe deploy` reads it (short-form tags as their long forms)."""
    return template.load_template(TEMPLATES / name)


def load_buildspec(name: str) -> dict[str, Any]:
    return yaml.safe_load((BUILDSPECS / name).read_text(encoding="utf-8"))


def commands(buildspec: dict[str, Any]) -> list[tuple[str, str]]:
    """(phase, shell line) for every command, multi-line blocks split into lines, in run order."""
    lines = []
    for phase in ("install", "pre_build", "build", "post_build"):
        for command in (buildspec.get("phases", {}).get(phase) or {}).get("commands", []):
            for line in str(command).splitlines():
                if line.strip() and not line.strip().startswith("#"):
                    lines.append((phase, line.strip()))
    return lines


def variables_used(line: str) -> set[str]:
    """Shell variables a command line expands ($X or ${X...})."""
    return set(_VARIABLE.findall(line))


def walk(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every (path, leaf or node) of a decoded template."""
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from walk(item, f"{path}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk(item, f"{path}/{index}")


def branches(value: Any) -> Iterator[Any]:
    """The values an `Fn::If` may take (both branches), or the value itself; AWS::NoValue dropped."""
    if isinstance(value, dict) and "Fn::If" in value:
        for branch in value["Fn::If"][1:]:
            yield from branches(branch)
    elif value != {"Ref": "AWS::NoValue"}:
        yield value


def policy_statements(template: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, statement) for every statement of every policy document in the template:
    IAM role inline policies, bucket and key policies, trust policies."""
    for path, node in walk(template.get("Resources", {})):
        if isinstance(node, dict) and "Statement" in node and "Version" in node:
            for index, statement in enumerate(node["Statement"]):
                for concrete in branches(statement):
                    yield f"{path}/Statement/{index}", concrete


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
