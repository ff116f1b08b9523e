"""The pipeline template as data: read with CloudFormation's short-form tags, its
parameter names, and the bootstrap subset a first deployment creates before anything
else (the key and the artifact bucket, so the package and the full template, which is
too large for an inline TemplateBody, have somewhere to go)."""
from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from pipeline.errors import ConfigError

# The resources and outputs of the first, small stack (those of them the template has; the
# key and the bucket it must have); the full template keeps their logical ids, so the
# update that follows leaves them as they are.
BOOTSTRAP_RESOURCES = ("PipelineKey", "PipelineKeyAlias", "ArtifactBucket", "ArtifactBucketPolicy")
KEY_RESOURCE = "PipelineKey"
BUCKET_RESOURCE = "ArtifactBucket"
BOOTSTRAP_REQUIRED = (KEY_RESOURCE, BUCKET_RESOURCE)
# CloudFormation's limit for TemplateBody; larger templates go through S3 (TemplateURL).
INLINE_TEMPLATE_LIMIT = 51_200
_SUB_NAME = re.compile(r"\$\{([A-Za-z0-9:._]+)\}")


class _CfnLoader(yaml.SafeLoader):
    """SafeLoader that reads `!Sub x` as {"Fn::Sub": x}, `!Ref x` as {"Ref": x}, and so on."""


def _intrinsic(loader: _CfnLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if suffix in ("Ref", "Condition"):
        return {suffix: value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


_CfnLoader.add_multi_constructor("!", _intrinsic)


def load_template(path: Path) -> dict[str, Any]:
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_CfnLoader)
    except OSError as exc:
        raise ConfigError(f"--template {path}: cannot read it ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"--template {path}: not a CloudFormation template ({exc})") from None
    if not isinstance(document, dict) or not isinstance(document.get("Resources"), dict):
        raise ConfigError(f"--template {path}: not a CloudFormation template (no Resources)")
    return document


def parameter_names(template: dict[str, Any]) -> set[str]:
    return set(template.get("Parameters") or {})


def bootstrap_template(template: dict[str, Any]) -> dict[str, Any]:
    """The bootstrap resources with exactly the parameters and conditions they use."""
    missing = [name for name in BOOTSTRAP_REQUIRED if name not in template["Resources"]]
    if missing:
        raise ConfigError(f"the template lacks {', '.join(missing)}, which secpipe deploy creates first")
    resources = {name: copy.deepcopy(template["Resources"][name]) for name in BOOTSTRAP_RESOURCES
                 if name in template["Resources"]}
    all_conditions = template.get("Conditions") or {}
    conditions: dict[str, Any] = {}
    pending = list(_conditions_used([resources]))
    while pending:
        name = pending.pop()
        if name not in conditions:
            conditions[name] = copy.deepcopy(all_conditions[name])
            pending.extend(_conditions_used([conditions[name]]))
    used = _names_used([resources, conditions])
    parameters = {name: copy.deepcopy(spec) for name, spec in (template.get("Parameters") or {}).items()
                  if name in used}
    subset: dict[str, Any] = {"AWSTemplateFormatVersion": template.get("AWSTemplateFormatVersion", "2010-09-09"),
                              "Description": "secpipe bootstrap: the pipeline's key and artifact bucket "
                                             "(the full pipeline template follows as an update)",
                              "Parameters": parameters, "Resources": resources}
    if conditions:
        subset["Conditions"] = conditions
    return subset


def _walk(node: Any) -> Iterator[Any]:
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _conditions_used(nodes: list[Any]) -> set[str]:
    found = set()
    for root in nodes:
        for node in _walk(root):
            if isinstance(node, dict):
                if "Fn::If" in node:
                    found.add(node["Fn::If"][0])
                if isinstance(node.get("Condition"), str):
                    found.add(node["Condition"])
    return found


def _names_used(nodes: list[Any]) -> set[str]:
    """Every name a Ref or a ${Name} / ${Name.Attr} of a Sub points at."""
    found = set()
    for root in nodes:
        for node in _walk(root):
            if isinstance(node, dict) and isinstance(node.get("Ref"), str):
                found.add(node["Ref"])
            if isinstance(node, dict) and "Fn::Sub" in node:
                text = node["Fn::Sub"] if isinstance(node["Fn::Sub"], str) else node["Fn::Sub"][0]
                found |= {match.split(".")[0] for match in _SUB_NAME.findall(text)}
    return found
