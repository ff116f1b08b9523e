"""Security Hub import bodies written by orjson are the JSON botocore's own serializer writes,
and everything else about the request is botocore's."""
from __future__ import annotations

import json
from typing import Any

import boto3

from parsers import registry
from pipeline import aws_json_body
from pipeline.aws import make_client
from pipeline.context import ScanContext
from pipeline.convert import to_validated_asff
from tests.conftest import FIXTURES

CONTEXT = ScanContext(account="123456789012", region="eu-west-1", repo="demo", branch="main", commit="abc")


def _findings() -> list[dict[str, Any]]:
    found = []
    for tool, name in (("bandit", "bandit.json"), ("checkov", "checkov.json"), ("semgrep", "semgrep.json")):
        found += to_validated_asff(registry.parse_report(tool, (FIXTURES / "real" / name).read_bytes(), name), CONTEXT)
    return found


def _session() -> boto3.session.Session:
    return boto3.session.Session(aws_access_key_id="x", aws_secret_access_key="y", region_name="eu-west-1")


def _both(operation: str, parameters: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    plain = make_client(_session(), "securityhub", parameter_validation=True)
    model = plain.meta.service_model.operation_model(operation)
    inner = plain._serializer._serializer  # under botocore's validating decorator
    return inner.serialize_to_request(parameters, model), \
        aws_json_body.ValidatedJsonBodies(inner).serialize_to_request(parameters, model)


def test_an_import_body_is_the_same_json_and_the_rest_the_same_request() -> None:
    findings = _findings()
    assert len(findings) > 10
    expected, fast = _both("BatchImportFindings", {"Findings": findings})
    assert json.loads(fast["body"]) == json.loads(expected["body"]) == {"Findings": findings}
    assert {k: v for k, v in fast.items() if k != "body"} == {k: v for k, v in expected.items() if k != "body"}


def test_other_operations_and_what_orjson_cannot_write_are_botocores() -> None:
    expected, fast = _both("GetFindings", {"MaxResults": 5})
    assert fast == expected
    odd = {"Findings": [{**_findings()[0], "Title": "lone \ud800 surrogate"}]}
    expected, fast = _both("BatchImportFindings", odd)
    assert fast == expected


def test_only_clients_of_callers_that_validate_get_it() -> None:
    assert isinstance(make_client(_session(), "securityhub", parameter_validation=False)._serializer,
                      aws_json_body.ValidatedJsonBodies)
    assert not isinstance(make_client(_session(), "securityhub")._serializer, aws_json_body.ValidatedJsonBodies)
    assert not isinstance(make_client(_session(), "sns", parameter_validation=False)._serializer,
                          aws_json_body.ValidatedJsonBodies)
