"""Finding Ids are pinned: a change to parsing, ASFF building or identity that
alters the Id of an existing finding would make Security Hub open a duplicate
and orphan the old one. The reports are written here by hand, and the Ids were
taken from the implementation when this test was added; they must never move."""
from __future__ import annotations

import hashlib
import json

from parsers import registry
from pipeline.asff import to_asff
from pipeline.context import ScanContext

CONTEXT = ScanContext(account="123456789012", region="eu-west-1", repo="pinned-repo", branch="main", commit="abc123")

SARIF = {
    "version": "2.1.0",
    "runs": [{
        "tool": {"driver": {"name": "HandSAST", "rules": [
            {"id": "HS001", "shortDescription": {"text": "Command built from input"},
             "properties": {"tags": ["external/cwe/cwe-78"], "security-severity": "8.1"}},
        ]}},
        "results": [
            # Located by a snippet (no fingerprint): the Id hashes path and snippet, not the line.
            {"ruleId": "HS001", "ruleIndex": 0, "message": {"text": "os.system with user input"},
             "locations": [{"physicalLocation": {"artifactLocation": {"uri": "./app/run.py"},
                                                 "region": {"startLine": 12, "snippet": {"text": "os.system(cmd)"}}}}]},
            # The same place again: numbered as the second occurrence.
            {"ruleId": "HS001", "ruleIndex": 0, "message": {"text": "os.system with user input"},
             "locations": [{"physicalLocation": {"artifactLocation": {"uri": "app/run.py"},
                                                 "region": {"startLine": 40, "snippet": {"text": "os.system(cmd)"}}}}]},
            # The tool's own fingerprint wins over the location.
            {"ruleId": "HS002", "level": "warning", "message": {"text": "weak hash"},
             "locations": [{"physicalLocation": {"artifactLocation": {"uri": "lib/crypto.py"}, "region": {"startLine": 3}}}],
             "partialFingerprints": {"primaryLocationLineHash": "0123456789abcdef:1"}},
        ],
    }],
}

DEPENDENCY_CHECK = {
    "reportSchema": "1.1",
    "projectInfo": {"name": "pinned", "reportDate": "2026-01-01T00:00:00Z"},
    "dependencies": [{
        "fileName": "commons-text-1.9.jar",
        "filePath": "/build/lib/commons-text-1.9.jar",
        "packages": [{"id": "pkg:maven/org.apache.commons/commons-text@1.9"}],
        "vulnerabilities": [
            {"source": "NVD", "name": "CVE-2022-42889", "severity": "CRITICAL",
             "cvssv3": {"baseScore": 9.8, "attackVector": "NETWORK"}, "cwes": ["CWE-94"],
             "description": "Text4Shell: variable interpolation runs code.", "references": []},
        ],
    }],
}

BANDIT = {
    "results": [{
        "filename": "./app/db.py", "test_id": "B608", "test_name": "hardcoded_sql_expressions",
        "issue_severity": "MEDIUM", "issue_confidence": "LOW", "issue_text": "Possible SQL injection.",
        "line_number": 7, "line_range": [7], "code": "7 cur.execute('SELECT * FROM t WHERE id=' + uid)\n",
        "issue_cwe": {"id": 89, "link": "https://cwe.mitre.org/data/definitions/89.html"},
        "more_info": "https://bandit.readthedocs.io/en/latest/plugins/b608_hardcoded_sql_expressions.html",
    }],
}

PINNED = {
    "sarif": (SARIF, "hand.sarif", [
        "sarif/HS001/81fa98a6902805e57a0dc77c6b8c1637a81f9d1c",
        "sarif/HS001/189761f2fce0ba63bdc1e1608dfcf5cc1a775bf2",
        "sarif/HS002/4338a990026291cc2569e134f13f4eddd28c6bb4",
    ]),
    "dependency-check": (DEPENDENCY_CHECK, "dependency-check-report.json", [
        "dependency-check/CVE-2022-42889/e44ba8c8823e4184c60fbc87a7a629cf5ccaeb7f",
    ]),
    "bandit": (BANDIT, "bandit.json", [
        "bandit/B608/78bb69994c82b6d729ae73ecddb2f56c154a785b",
    ]),
}


def _ids(tool: str) -> list[str]:
    report, name, _ = PINNED[tool]
    findings = registry.parse_report(tool, json.dumps(report).encode(), name)
    return [to_asff(finding, CONTEXT)["Id"] for finding in findings]


def test_sarif_ids_are_pinned() -> None:
    assert _ids("sarif") == PINNED["sarif"][2]


def test_dependency_check_ids_are_pinned() -> None:
    assert _ids("dependency-check") == PINNED["dependency-check"][2]


def test_bandit_ids_are_pinned() -> None:
    assert _ids("bandit") == PINNED["bandit"][2]


def test_pinned_id_is_the_documented_hash() -> None:
    """The fingerprinted SARIF result's Id, recomputed from identity's definition by hand."""
    material = "\x1f".join(["pinned-repo", "main", "sarif", "HS002", "fp:primaryLocationLineHash=0123456789abcdef:1", "0"])
    digest = hashlib.sha256(material.encode()).hexdigest()[:40]
    assert PINNED["sarif"][2][2] == f"sarif/HS002/{digest}"
