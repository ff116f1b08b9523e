"""An embedded hub answered in-process through botocore's before-send hook gives exactly
what the same hub gives over HTTP: results, refusals and errors."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from botocore.exceptions import ClientError

from pipeline.hub import server, start_local_hub
from pipeline.hub.in_process import InProcessTransport
from tests.hub.conftest import client_for, make_finding


@pytest.fixture
def clients(hub, monkeypatch):
    """(over HTTP, in-process) on one hub; requests that reach the HTTP server are counted."""
    served = []
    handle = server._Handler._handle

    def counted(handler):
        served.append(handler.path)
        handle(handler)

    monkeypatch.setattr(server._Handler, "do_POST", counted)
    monkeypatch.setattr(server._Handler, "do_GET", counted)
    over_http = client_for(hub)
    in_process = client_for(hub)
    InProcessTransport(hub.app).attach(in_process)
    return over_http, in_process, served


def _without_metadata(response):
    return {key: value for key, value in response.items() if key != "ResponseMetadata"}


def test_imports_and_queries_answer_the_same(clients):
    over_http, in_process, served = clients
    bad = make_finding("bad", Severity={"Label": "NOT-A-LABEL"})
    first = in_process.batch_import_findings(Findings=[make_finding("a"), bad])
    second = over_http.batch_import_findings(Findings=[make_finding("b"), bad])
    assert first["SuccessCount"] == second["SuccessCount"] == 1
    assert first["FailedFindings"] == second["FailedFindings"] != []
    query = {"Filters": {"ProductFields": [{"Key": "secpipe/tool", "Value": "bandit", "Comparison": "EQUALS"}]},
             "SortCriteria": [{"Field": "Title", "SortOrder": "asc"}]}
    assert _without_metadata(in_process.get_findings(**query)) == _without_metadata(over_http.get_findings(**query))
    assert [f["Id"] for f in in_process.get_findings(**query)["Findings"]] == ["a", "b"]
    pages = list(in_process.get_paginator("get_findings").paginate(PaginationConfig={"PageSize": 1}))
    assert [f["Id"] for page in pages for f in page["Findings"]] == [f["Id"] for f in
                                                                     over_http.get_findings()["Findings"]]
    assert len(served) == 3  # the HTTP client's three requests, none of the in-process one's


def test_errors_arrive_as_the_same_client_errors(clients):
    over_http, in_process, _ = clients
    errors = []
    for client in (over_http, in_process):
        with pytest.raises(ClientError) as caught:  # a filter botocore knows and the local hub does not
            client.get_findings(Filters={"Region": [{"Value": "x", "Comparison": "EQUALS"}]})
        errors.append((caught.value.response["Error"], caught.value.response["ResponseMetadata"]["HTTPStatusCode"]))
    assert errors[0] == errors[1] and errors[0][0]["Code"] == "InvalidInputException"


def test_the_quota_holds_in_process_too(tmp_path):
    with start_local_hub(tmp_path / "hub.sqlite3", quota=True) as hub:
        client = client_for(hub, attempts=1)
        InProcessTransport(hub.app).attach(client)
        codes = set()
        for _ in range(40):
            try:
                client.get_findings(MaxResults=1)
            except ClientError as exc:
                codes.add(exc.response["Error"]["Code"])
        assert codes == {"TooManyRequestsException"}


def test_a_body_over_the_limit_is_refused_unread(hub):
    transport = InProcessTransport(hub.app)
    request = SimpleNamespace(url=f"{hub.endpoint_url}/findings/import", method="POST", headers={},
                              body=b"x" * (server.MAX_BODY_BYTES + 1))
    response = transport(request)
    assert response.status_code == 413
    assert b"16 MB" in response.content
