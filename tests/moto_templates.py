"""The part of a CloudFormation template that moto's CloudFormation can create: resources
of the types moto models (its own registry decides), with references to the others
(CodeBuild, CodePipeline, Config, CloudTrail, ...) replaced by stand-in names."""
from __future__ import annotations

import copy
from typing import Any

import pytest

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's account


def moto_types() -> set[str]:
    parsing = pytest.importorskip("moto.cloudformation.parsing")
    return set(parsing.get_model_map())


def moto_subset(template: dict[str, Any]) -> dict[str, Any]:
    """The template with only the resource types moto's CloudFormation creates; references
    to the others (CodeBuild, CodePipeline, Config, CloudTrail, ...) become stand-in names."""
    supported = moto_types()
    kept = {name for name, r in template["Resources"].items() if r["Type"] in supported}

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

    # Rules go too: moto does not evaluate them.
    subset = {key: copy.deepcopy(value) for key, value in template.items() if key not in ("Resources", "Outputs", "Rules")}
    subset["Resources"] = {name: stand_in(r) for name, r in template["Resources"].items() if name in kept}
    subset["Outputs"] = stand_in(template.get("Outputs") or {})
    return subset


