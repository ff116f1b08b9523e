"""The in-process client of an embedded hub gives what boto3 gets from the same hub over
HTTP: results, refusals, errors, pages and the quota; and it never changes what it is sent."""
from __future__ import annotations

import copy

import pytest
from botocore.exceptions import ClientError

from pipeline.checked_finding import CheckedFinding
from pipeline.hub import server, start_local_hub
from pipeline.hub.direct_client import DirectHubClient
from tests.hub.conftest import client_for, make_finding


@pytest.fixture
def clients(hub, monkeypatch):
    """(boto3 over HTTP, direct) on one hub; requests that reach the HTTP server are counted."""
    served = []
    handle = server._Handler._handle

    def counted(handler):
        served.append(handler.path)
        handle(handler)

    monkeypatch.setattr(server._Handler, "do_POST", counted)
    monkeypatch.setattr(server._Handler, "do_GET", counted)
    return client_for(hub), DirectHubClient(hub.app), served


def _without_metadata(response):
    return {key: value for key, value in response.items() if key != "ResponseMetadata"}


def test_imports_and_queries_answer_the_same(clients):
    over_http, direct, served = clients
    bad = make_finding("bad", Severity={"Label": "NOT-A-LABEL"})
    first = direct.batch_import_findings(Findings=[make_finding("a"), bad])
    second = over_http.batch_import_findings(Findings=[make_finding("b"), bad])
    assert first["SuccessCount"] == second["SuccessCount"] == 1
    assert first["FailedFindings"] == second["FailedFindings"] != []
    assert first["ResponseMetadata"]["HTTPStatusCode"] == 200
    query = {"Filters": {"ProductFields": [{"Key": "secpipe/tool", "Value": "bandit", "Comparison": "EQUALS"}]},
             "SortCriteria": [{"Field": "Title", "SortOrder": "asc"}]}
    assert _without_metadata(direct.get_findings(**query)) == _without_metadata(over_http.get_findings(**query))
    assert [f["Id"] for f in direct.get_findings(**query)["Findings"]] == ["a", "b"]
    assert len(served) == 2  # the HTTP client's two requests, none of the direct one's


def test_pages_as_boto3_pages(clients):
    over_http, direct, _ = clients
    over_http.batch_import_findings(Findings=[make_finding(f"f{i}") for i in range(5)])
    for config in ({"PageSize": 2}, {"PageSize": 2, "MaxItems": 3}, {"PageSize": 1, "MaxItems": 5}):
        mine = list(direct.get_paginator("get_findings").paginate(PaginationConfig=config))
        theirs = list(over_http.get_paginator("get_findings").paginate(PaginationConfig=config))
        assert [[f["Id"] for f in page["Findings"]] for page in mine] == \
            [[f["Id"] for f in page["Findings"]] for page in theirs]
    token = direct.get_findings(MaxResults=2)["NextToken"]
    resumed = list(direct.get_paginator("get_findings").paginate(PaginationConfig={"StartingToken": token}))
    assert len(resumed[0]["Findings"]) == 3
    with pytest.raises(ValueError, match="PaginationConfig has no Nonsense"):
        next(direct.get_paginator("get_findings").paginate(PaginationConfig={"Nonsense": 1}))
    with pytest.raises(ValueError, match="only get_findings"):
        direct.get_paginator("describe_hub")


def test_updates_answer_the_same(clients):
    over_http, direct, _ = clients
    over_http.batch_import_findings(Findings=[make_finding("a"), make_finding("b")])
    update = {"Workflow": {"Status": "SUPPRESSED"}, "Note": {"Text": "accepted risk", "UpdatedBy": "me"}}
    mine = direct.batch_update_findings(FindingIdentifiers=[{"Id": "a", "ProductArn": make_finding("a")["ProductArn"]},
                                                            {"Id": "zz", "ProductArn": make_finding("a")["ProductArn"]}],
                                        **update)
    theirs = over_http.batch_update_findings(
        FindingIdentifiers=[{"Id": "b", "ProductArn": make_finding("b")["ProductArn"]},
                            {"Id": "zz", "ProductArn": make_finding("b")["ProductArn"]}], **update)
    assert [p["Id"] for p in mine["ProcessedFindings"]] == ["a"] and [p["Id"] for p in theirs["ProcessedFindings"]] == ["b"]
    assert mine["UnprocessedFindings"] == theirs["UnprocessedFindings"] != []
    statuses = {f["Id"]: f["Workflow"]["Status"] for f in direct.get_findings()["Findings"]}
    assert statuses == {"a": "SUPPRESSED", "b": "SUPPRESSED"}


def test_errors_arrive_as_the_same_client_errors(clients):
    over_http, direct, _ = clients
    errors = []
    for client in (over_http, direct):
        with pytest.raises(ClientError) as caught:  # a filter botocore knows and the local hub does not
            client.get_findings(Filters={"Region": [{"Value": "x", "Comparison": "EQUALS"}]})
        errors.append((caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"],
                       caught.value.response["ResponseMetadata"]["HTTPStatusCode"], caught.value.operation_name))
    assert errors[0] == errors[1] and errors[0][0] == "InvalidInputException"


def test_the_quota_holds_for_direct_calls_too(tmp_path):
    with start_local_hub(tmp_path / "hub.sqlite3", quota=True) as hub:
        client = DirectHubClient(hub.app)
        codes, statuses = set(), set()
        for _ in range(40):
            try:
                client.get_findings(MaxResults=1)
            except ClientError as exc:
                codes.add(exc.response["Error"]["Code"])
                statuses.add(exc.response["ResponseMetadata"]["HTTPStatusCode"])
        assert codes == {"TooManyRequestsException"} and statuses == {429}


def test_the_callers_findings_and_parameters_are_left_as_they_were(hub):
    client = DirectHubClient(hub.app)
    finding = make_finding("a")
    del finding["RecordState"]
    finding["Severity"] = {"Normalized": 70}
    sent = copy.deepcopy(finding)
    client.batch_import_findings(Findings=[finding])
    client.batch_import_findings(Findings=[finding])  # the re-import path too
    assert finding == sent
    stored = client.get_findings()["Findings"][0]
    assert stored["Severity"]["Label"] == "HIGH" and stored["RecordState"] == "ACTIVE"
    assert stored["Workflow"] == {"Status": "NEW"} and "ProcessedAt" in stored
    filters = {"Id": [{"Value": "a", "Comparison": "EQUALS"}]}
    kept = copy.deepcopy(filters)
    client.get_findings(Filters=filters)
    assert filters == kept


def test_a_checked_finding_is_not_checked_again_and_a_plain_one_is(hub, monkeypatch):
    from pipeline.hub import imports

    checked = []
    monkeypatch.setattr(imports, "problems", lambda finding: checked.append(finding["Id"]) or [])
    client = DirectHubClient(hub.app)
    result = client.batch_import_findings(Findings=[CheckedFinding(make_finding("checked")), make_finding("plain")])
    assert result["SuccessCount"] == 2
    assert checked == ["plain"]


def test_the_embedded_hub_is_sent_one_batch_at_a_time_from_the_calling_thread(tmp_path, monkeypatch):
    import threading

    from pipeline.hub.api import HubApi
    from pipeline.sinks import registry
    from pipeline.sinks.connection import HubOptions

    threads = []
    real = HubApi.batch_import_findings
    monkeypatch.setattr(HubApi, "batch_import_findings",
                        lambda api, body: threads.append(threading.current_thread()) or real(api, body))
    with registry.open_hub("local", HubOptions(db_path=tmp_path / "hub.sqlite3")) as (sink, connection):
        assert connection.in_process and isinstance(connection.client, DirectHubClient)
        result = sink.publish([make_finding(f"f{i}") for i in range(250)], [])
    assert result.accepted == 250 and len(threads) == 3
    assert set(threads) == {threading.current_thread()}


def _stored_ids(path):
    import sqlite3

    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as other:  # another connection: committed rows only
        return {row[0] for row in other.execute("SELECT id FROM findings")}


def test_calls_inside_a_transaction_are_committed_together_when_it_ends(tmp_path):
    with start_local_hub(tmp_path / "hub.sqlite3") as hub:
        client = DirectHubClient(hub.app)
        with client.transaction():
            first = client.batch_import_findings(Findings=[make_finding("a")])
            second = client.batch_import_findings(Findings=[make_finding("b")])
            assert first["SuccessCount"] == second["SuccessCount"] == 1
            assert _stored_ids(tmp_path / "hub.sqlite3") == set()  # not yet: one COMMIT at the end
            assert {f["Id"] for f in client.get_findings()["Findings"]} == {"a", "b"}  # the hub sees its own
        assert _stored_ids(tmp_path / "hub.sqlite3") == {"a", "b"}


def test_a_call_that_fails_inside_a_transaction_undoes_only_its_own_writes(tmp_path, monkeypatch):
    from pipeline.hub.errors import invalid_input
    from pipeline.hub.storage import FindingStore

    real_upsert = FindingStore.upsert

    def upsert_then_fail(store, staged, stored):
        real_upsert(store, staged, stored)  # written, then refused: the savepoint must take it back
        if any(s.doc["Id"] == "poison" for s in staged):
            raise invalid_input("refused after writing")

    monkeypatch.setattr(FindingStore, "upsert", upsert_then_fail)
    with start_local_hub(tmp_path / "hub.sqlite3") as hub:
        client = DirectHubClient(hub.app)
        with client.transaction():
            client.batch_import_findings(Findings=[make_finding("a")])
            with pytest.raises(ClientError, match="refused after writing"):
                client.batch_import_findings(Findings=[make_finding("poison"), make_finding("c")])
            client.batch_import_findings(Findings=[make_finding("d")])
    assert _stored_ids(tmp_path / "hub.sqlite3") == {"a", "d"}


def test_a_transaction_that_fails_stores_nothing_of_it(tmp_path):
    with start_local_hub(tmp_path / "hub.sqlite3") as hub:
        client = DirectHubClient(hub.app)
        client.batch_import_findings(Findings=[make_finding("before")])
        with pytest.raises(RuntimeError), client.transaction():
            client.batch_import_findings(Findings=[make_finding("a")])
            raise RuntimeError("the caller gave up")
        assert {f["Id"] for f in client.get_findings()["Findings"]} == {"before"}
    assert _stored_ids(tmp_path / "hub.sqlite3") == {"before"}
