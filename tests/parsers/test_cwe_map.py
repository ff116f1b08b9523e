"""CWE mapping: the weakness's CWE first, the tool's own CWE kept; semgrep titles are the message's first sentence."""
from __future__ import annotations

import json

import pytest

from parsers.cwe_map import BANDIT, SEMGREP, TABLES, weakness_cwes
from parsers.semgrep import first_sentence
from tests.conftest import PROJECT
from tests.parsers.helpers import parse, valid_asff


def bandit_report(test_id: str, cwe: int) -> bytes:
    result = {
        "code": "3 x = 1\n", "col_offset": 0, "filename": "./app.py", "issue_confidence": "HIGH",
        "issue_cwe": {"id": cwe, "link": f"https://cwe.mitre.org/data/definitions/{cwe}.html"},
        "issue_severity": "MEDIUM", "issue_text": "something", "line_number": 3, "line_range": [3],
        "more_info": "https://bandit.readthedocs.io/", "test_id": test_id, "test_name": "a_test",
    }
    return json.dumps({"errors": [], "generated_at": "2026-11-01T10:00:00Z", "metrics": {}, "results": [result]}).encode()


@pytest.mark.parametrize("test_id, reported, weakness", [
    ("B307", 78, 95),    # eval
    ("B102", 78, 94),    # exec
    ("B314", 20, 611),   # xml.etree
    ("B318", 20, 611),   # xml.dom.minidom
    ("B320", 20, 611),   # lxml
    ("B506", 20, 502),   # yaml.load
    ("B324", 327, 328),  # hashlib.new('md5')
    ("B303", 327, 328),  # md5 / sha1
    ("B311", 330, 338),  # random
    ("B105", 259, 798),  # hard-coded password
])
def test_bandit_weakness_comes_first_and_the_tool_cwe_is_kept(test_id, reported, weakness, context) -> None:
    [finding] = parse("bandit", bandit_report(test_id, reported))
    assert finding.cwes == [weakness, reported]
    [asff] = valid_asff([finding], context)
    assert asff["Vulnerabilities"][0]["CodeVulnerabilities"][0]["Cwes"][:2] == [f"CWE-{weakness}", f"CWE-{reported}"]


def test_unmapped_bandit_rule_keeps_its_cwe_alone() -> None:
    [finding] = parse("bandit", bandit_report("B602", 78))
    assert finding.cwes == [78]


def test_a_correct_label_is_not_repeated() -> None:
    assert weakness_cwes("bandit", "B506", [502]) == [502]


def test_tools_without_a_table_are_unchanged() -> None:
    assert weakness_cwes("checkov", "CKV_AWS_1", [284]) == [284]


def test_semgrep_registry_ids_are_looked_up_by_their_last_part() -> None:
    assert SEMGREP.lookup("python.lang.security.audit.eval-detected.eval-detected") == (95,)
    assert weakness_cwes("semgrep", "python.lang.security.audit.md5-used", [327]) == [328, 327]


def test_every_table_is_documented() -> None:
    readme = (PROJECT / "parsers" / "README.md").read_text(encoding="utf-8")
    section = readme.split("## CWE mapping", 1)[1]
    for table in TABLES.values():
        for rule_id, cwes in table.by_rule.items():
            assert f"`{rule_id}`" in section, f"{table.tool} {rule_id} is not in parsers/README.md"
            assert all(f"CWE-{n}" in section for n in cwes), rule_id
    assert set(BANDIT.by_rule) and set(SEMGREP.by_rule)


def semgrep_report(message: str, check_id: str = "py-sql-injection") -> bytes:
    result = {"check_id": check_id, "path": "app.py", "start": {"line": 2, "col": 1}, "end": {"line": 2, "col": 9},
              "extra": {"message": message, "severity": "ERROR", "metadata": {"cwe": "CWE-89: SQL Injection"},
                        "lines": "cur.execute(q)"}}
    return json.dumps({"results": [result], "errors": []}).encode()


def test_semgrep_title_is_the_first_sentence_of_the_message() -> None:
    [finding] = parse("semgrep", semgrep_report(
        "SQL is built from request data (os.path.join does not end it). Use parameterised queries."))
    assert finding.title == "SQL is built from request data (os.path.join does not end it)."
    assert finding.rule_id == "py-sql-injection"
    assert finding.description.endswith("Use parameterised queries.")


def test_semgrep_title_falls_back_to_the_rule_id_without_a_message() -> None:
    [finding] = parse("semgrep", semgrep_report(""))
    assert finding.title == "py-sql-injection"


@pytest.mark.parametrize("message, sentence", [
    ("One sentence without a stop", "One sentence without a stop"),
    ("Is this bad? Yes.", "Is this bad?"),
    ("Ends here.\nNext line.", "Ends here."),
])
def test_first_sentence(message, sentence) -> None:
    assert first_sentence(message) == sentence
