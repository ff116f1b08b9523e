"""GetFindings through boto3: every comparison, map and date filters, sorting, paging."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from botocore.exceptions import ClientError

from tests.hub.conftest import OTHER_PRODUCT_ARN, client_for, ids_of, make_finding


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@pytest.fixture
def seeded(securityhub):
    """Five findings that differ in every filtered field."""
    securityhub.batch_import_findings(Findings=[
        make_finding("alpha-1", Title="SQL injection in login", Severity={"Label": "CRITICAL"},
                     GeneratorId="semgrep/sqli", Compliance={"Status": "FAILED"},
                     Resources=[{"Type": "AwsS3Bucket", "Id": "arn:aws:s3:::bucket-a"},
                                {"Type": "Other", "Id": "demo@main:app/login.py"}],
                     ProductFields={"secpipe/tool": "semgrep", "secpipe/repo": "shop", "secpipe/branch": "main"}),
        make_finding("alpha-2", Title="Hard-coded password", Severity={"Label": "HIGH"},
                     GeneratorId="gitleaks/generic", ProductFields={
                         "secpipe/tool": "gitleaks", "secpipe/repo": "shop", "secpipe/branch": "dev"}),
        make_finding("beta-1", Title="Outdated lodash", Severity={"Label": "LOW"}, GeneratorId="trivy/CVE-2021-23337",
                     Compliance={"Status": "PASSED"}, RecordState="ARCHIVED",
                     ProductFields={"secpipe/tool": "trivy", "secpipe/repo": "blog", "secpipe/branch": "main"}),
        make_finding("beta-2", Title="Missing HSTS header", Severity={"Label": "MEDIUM"}, AwsAccountId="210987654321",
                     GeneratorId="zap/10035", ProductFields={
                         "secpipe/tool": "zap", "secpipe/repo": "blog", "secpipe/branch": "main"}),
        make_finding("gamma", Title="Assert used", Severity={"Label": "INFORMATIONAL"}, ProductArn=OTHER_PRODUCT_ARN,
                     ProductFields={"secpipe/tool": "bandit", "secpipe/repo": "tools", "secpipe/branch": "main"}),
    ])
    return securityhub


def _find(client, **filters):
    return ids_of(client.get_findings(Filters=filters))


ALL = {"alpha-1", "alpha-2", "beta-1", "beta-2", "gamma"}


@pytest.mark.parametrize("field,comparison,value,expected", [
    ("Id", "EQUALS", "alpha-1", {"alpha-1"}),
    ("Id", "PREFIX", "alpha", {"alpha-1", "alpha-2"}),
    ("Id", "NOT_EQUALS", "alpha-1", ALL - {"alpha-1"}),
    ("Id", "PREFIX_NOT_EQUALS", "beta", {"alpha-1", "alpha-2", "gamma"}),
    ("Id", "CONTAINS", "-2", {"alpha-2", "beta-2"}),
    ("Id", "NOT_CONTAINS", "-", {"gamma"}),
    ("Title", "CONTAINS", "password", {"alpha-2"}),
    ("Title", "CONTAINS", "Password", set()),  # values are case sensitive, as in Security Hub
    ("GeneratorId", "PREFIX", "trivy/", {"beta-1"}),
    ("ProductArn", "EQUALS", OTHER_PRODUCT_ARN, {"gamma"}),
    ("AwsAccountId", "NOT_EQUALS", "123456789012", {"beta-2"}),
    ("SeverityLabel", "EQUALS", "CRITICAL", {"alpha-1"}),
    ("RecordState", "EQUALS", "ARCHIVED", {"beta-1"}),
    ("WorkflowStatus", "EQUALS", "NEW", ALL),
    ("ComplianceStatus", "EQUALS", "PASSED", {"beta-1"}),
    ("ComplianceStatus", "NOT_EQUALS", "PASSED", ALL - {"beta-1"}),
    ("ResourceType", "EQUALS", "AwsS3Bucket", {"alpha-1"}),
    ("ResourceType", "NOT_EQUALS", "AwsS3Bucket", ALL - {"alpha-1"}),
    ("ResourceId", "EQUALS", "demo@main:app/login.py", {"alpha-1"}),
    ("ResourceId", "PREFIX", "arn:aws:s3:::", {"alpha-1"}),
    ("ResourceId", "CONTAINS", "src/beta", {"beta-1", "beta-2"}),
])
def test_string_filter(seeded, field, comparison, value, expected):
    assert _find(seeded, **{field: [{"Value": value, "Comparison": comparison}]}) == expected


def test_positive_values_of_one_field_are_ored_and_negatives_anded(seeded):
    assert _find(seeded, SeverityLabel=[{"Value": "CRITICAL", "Comparison": "EQUALS"},
                                        {"Value": "LOW", "Comparison": "EQUALS"}]) == {"alpha-1", "beta-1"}
    assert _find(seeded, Id=[{"Value": "alpha-1", "Comparison": "NOT_EQUALS"},
                             {"Value": "gamma", "Comparison": "NOT_EQUALS"}]) == {"alpha-2", "beta-1", "beta-2"}
    # PREFIX then NOT_EQUALS on the same field: both must hold.
    assert _find(seeded, Id=[{"Value": "alpha", "Comparison": "PREFIX"},
                             {"Value": "alpha-2", "Comparison": "NOT_EQUALS"}]) == {"alpha-1"}


def test_different_fields_are_anded(seeded):
    assert _find(seeded, Id=[{"Value": "beta", "Comparison": "PREFIX"}],
                 RecordState=[{"Value": "ACTIVE", "Comparison": "EQUALS"}]) == {"beta-2"}


def test_map_filter_on_product_fields(seeded):
    def product_fields(*entries):
        return _find(seeded, ProductFields=[{"Key": k, "Value": v, "Comparison": c} for k, c, v in entries])

    assert product_fields(("secpipe/tool", "EQUALS", "trivy")) == {"beta-1"}
    assert product_fields(("secpipe/repo", "NOT_EQUALS", "blog")) == {"alpha-1", "alpha-2", "gamma"}
    assert product_fields(("secpipe/tool", "CONTAINS", "git")) == {"alpha-2"}
    assert product_fields(("secpipe/repo", "NOT_CONTAINS", "l")) == {"alpha-1", "alpha-2"}
    # Two values of one key are OR'ed; different keys are AND'ed (the archival scope query).
    assert product_fields(("secpipe/tool", "EQUALS", "trivy"), ("secpipe/tool", "EQUALS", "zap")) == {"beta-1", "beta-2"}
    assert product_fields(("secpipe/repo", "EQUALS", "shop"), ("secpipe/branch", "EQUALS", "main")) == {"alpha-1"}
    assert product_fields(("secpipe/repo", "EQUALS", "nope")) == set()


def test_date_filter_on_updated_at(securityhub):
    now = datetime.now(UTC)
    securityhub.batch_import_findings(Findings=[
        make_finding("old", UpdatedAt=_iso(now - timedelta(days=40))),
        make_finding("recent", UpdatedAt=_iso(now - timedelta(days=2))),
        make_finding("offset", UpdatedAt=(now - timedelta(hours=1)).astimezone(timezone(timedelta(hours=5, minutes=30)))
                     .isoformat()),
    ])
    assert _find(securityhub, UpdatedAt=[{"DateRange": {"Value": 7, "Unit": "DAYS"}}]) == {"recent", "offset"}
    assert _find(securityhub, UpdatedAt=[{"DateRange": {"Value": 7, "Unit": "DAYS", "Comparison": "OLDER_THAN"}}]) == {"old"}
    assert _find(securityhub, UpdatedAt=[{"Start": _iso(now - timedelta(days=50)),
                                          "End": _iso(now - timedelta(days=30))}]) == {"old"}
    assert _find(securityhub, UpdatedAt=[{"Start": _iso(now - timedelta(hours=3))}]) == {"offset"}
    assert _find(securityhub, UpdatedAt=[{"End": _iso(now - timedelta(days=1))}]) == {"old", "recent"}


def test_sort_criteria(seeded):
    def order(field, direction):
        found = seeded.get_findings(SortCriteria=[{"Field": field, "SortOrder": direction}])["Findings"]
        return [f["Id"] for f in found]

    assert order("Id", "asc") == ["alpha-1", "alpha-2", "beta-1", "beta-2", "gamma"]
    assert order("Id", "desc") == ["gamma", "beta-2", "beta-1", "alpha-2", "alpha-1"]
    assert order("SeverityLabel", "desc") == ["alpha-1", "alpha-2", "beta-2", "beta-1", "gamma"]
    assert order("Title", "asc") == ["gamma", "alpha-2", "beta-2", "beta-1", "alpha-1"]


def test_sort_on_updated_at_compares_instants_not_text(securityhub):
    securityhub.batch_import_findings(Findings=[
        make_finding("earlier", UpdatedAt="2024-03-01T12:00:00+05:00"),  # 07:00Z
        make_finding("later", UpdatedAt="2024-03-01T08:00:00Z"),
    ])
    found = securityhub.get_findings(SortCriteria=[{"Field": "UpdatedAt", "SortOrder": "asc"}])["Findings"]
    assert [f["Id"] for f in found] == ["earlier", "later"]


def test_paging_through_250_findings(securityhub):
    for start in range(0, 250, 100):
        batch = [make_finding(f"f{i:03d}", Severity={"Label": ("LOW", "HIGH")[i % 2]})
                 for i in range(start, min(start + 100, 250))]
        assert securityhub.batch_import_findings(Findings=batch)["SuccessCount"] == len(batch)
    seen: list[str] = []
    pages = 0
    kwargs = {"MaxResults": 100, "SortCriteria": [{"Field": "SeverityLabel", "SortOrder": "desc"}]}
    while True:
        page = securityhub.get_findings(**kwargs)
        pages += 1
        seen.extend(f["Id"] for f in page["Findings"])
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert pages == 3
    assert len(seen) == 250 and len(set(seen)) == 250
    # The sort holds across page boundaries: all HIGH before all LOW.
    assert seen[:125] == sorted(seen[:125], key=seen.index) and all(int(i[1:]) % 2 for i in seen[:125])


def test_boto3_paginator_pages_with_the_filter(securityhub):
    securityhub.batch_import_findings(Findings=[make_finding(f"p{i}") for i in range(30)] +
                                      [make_finding(f"q{i}") for i in range(5)])
    paginator = securityhub.get_paginator("get_findings")
    pages = list(paginator.paginate(Filters={"Id": [{"Value": "p", "Comparison": "PREFIX"}]},
                                    PaginationConfig={"PageSize": 7}))
    assert [len(p["Findings"]) for p in pages] == [7, 7, 7, 7, 2]
    assert {f["Id"] for p in pages for f in p["Findings"]} == {f"p{i}" for i in range(30)}


def test_paging_does_not_skip_findings_that_change_under_it(securityhub):
    securityhub.batch_import_findings(Findings=[make_finding(f"s{i:02d}") for i in range(20)])
    filters = {"RecordState": [{"Value": "ACTIVE", "Comparison": "EQUALS"}]}
    sort = [{"Field": "Id", "SortOrder": "asc"}]
    first = securityhub.get_findings(Filters=filters, SortCriteria=sort, MaxResults=10)
    # Archive what was read, as the sink's stale-finding pass does, then read on.
    securityhub.batch_import_findings(Findings=[make_finding(f["Id"], RecordState="ARCHIVED") for f in first["Findings"]])
    second = securityhub.get_findings(Filters=filters, SortCriteria=sort, MaxResults=10, NextToken=first["NextToken"])
    assert [f["Id"] for f in second["Findings"]] == [f"s{i:02d}" for i in range(10, 20)]


def test_next_token_of_another_query_is_rejected(securityhub):
    securityhub.batch_import_findings(Findings=[make_finding(f"t{i}") for i in range(3)])
    token = securityhub.get_findings(MaxResults=1)["NextToken"]
    with pytest.raises(ClientError) as raised:
        securityhub.get_findings(MaxResults=1, NextToken=token,
                                 Filters={"Id": [{"Value": "t", "Comparison": "PREFIX"}]})
    assert raised.value.response["Error"]["Code"] == "InvalidInputException"
    with pytest.raises(ClientError):
        securityhub.get_findings(NextToken="garbage!")


def test_unsupported_filter_is_an_error_not_ignored(securityhub):
    with pytest.raises(ClientError) as raised:
        securityhub.get_findings(Filters={"Description": [{"Value": "x", "Comparison": "EQUALS"}]})
    assert "Description" in raised.value.response["Error"]["Message"]


def test_max_results_bounds(hub, securityhub):
    with pytest.raises(ClientError) as raised:
        client_for(hub, validate=False).get_findings(MaxResults=101)
    assert raised.value.response["Error"]["Code"] == "InvalidInputException"
    securityhub.batch_import_findings(Findings=[make_finding(f"m{i}") for i in range(3)])
    assert len(securityhub.get_findings(MaxResults=2)["Findings"]) == 2
    assert "NextToken" not in securityhub.get_findings(MaxResults=3)


@pytest.mark.parametrize("sort", [
    [{"Field": "Title", "SortOrder": "asc"}, {"Field": "SeverityLabel", "SortOrder": "asc"}],  # one direction
    [{"Field": "SeverityLabel", "SortOrder": "desc"}, {"Field": "Title", "SortOrder": "asc"}],  # mixed
    [],  # the default, UpdatedAt descending
])
def test_small_pages_give_the_whole_sorted_list_in_either_kind_of_order(securityhub, sort):
    labels = ("LOW", "HIGH", "MEDIUM")
    securityhub.batch_import_findings(Findings=[
        make_finding(f"p{i:02d}", Title=f"title {i % 4}", Severity={"Label": labels[i % 3]}) for i in range(23)])
    whole = [f["Id"] for f in securityhub.get_findings(SortCriteria=sort, MaxResults=100)["Findings"]]
    paged: list[str] = []
    kwargs: dict = {"SortCriteria": sort, "MaxResults": 4}
    while True:
        page = securityhub.get_findings(**kwargs)
        paged.extend(f["Id"] for f in page["Findings"])
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert paged == whole and len(set(paged)) == 23
