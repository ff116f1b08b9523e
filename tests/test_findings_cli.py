"""`secpipe findings list|show|update` end to end against the local hub, as a subprocess."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from pipeline.asff import to_asff
from pipeline.asff_validation import validate
from pipeline.finding import Severity
from tests.sinks.builders import asff_findings, context, make_finding


def secpipe(*args: str):
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def hub_db(tmp_path_factory):
    """A local hub database holding bandit findings on two branches and one HIGH semgrep finding."""
    db = tmp_path_factory.mktemp("hub") / "hub.sqlite3"
    high = make_finding(50, tool="semgrep")
    high.severity = Severity.HIGH
    findings = asff_findings(3) + asff_findings(2, branch="dev") + [validate(to_asff(high, context()))]
    path = db.parent / "findings.json"
    path.write_text(json.dumps(findings))
    result = secpipe("publish", str(path), "--db", str(db))
    assert result.returncode == 0, result.stderr
    return str(db), findings


def ids(stdout: str) -> list[str]:
    return sorted(f["Id"] for f in json.loads(stdout))


def test_list_filters(hub_db):
    db, findings = hub_db
    everything = secpipe("findings", "list", "--db", db, "--json")
    assert ids(everything.stdout) == sorted(f["Id"] for f in findings)
    dev = secpipe("findings", "list", "--db", db, "--branch", "dev", "--json")
    assert ids(dev.stdout) == sorted(f["Id"] for f in findings[3:5])
    high = secpipe("findings", "list", "--db", db, "--severity", "high", "--json")
    assert ids(high.stdout) == [findings[5]["Id"]]
    semgrep = secpipe("findings", "list", "--db", db, "--tool", "semgrep")
    assert semgrep.returncode == 0
    lines = semgrep.stdout.strip().splitlines()
    assert lines[0].split("\t") == ["ID", "SEVERITY", "WORKFLOW", "RECORD", "TOOL", "LOCATION", "TITLE"]
    assert len(lines) == 2 and lines[1].startswith(findings[5]["Id"] + "\tHIGH\tNEW\tACTIVE\tsemgrep\t")
    location = lines[1].split("\t")[5]
    assert location == f"{findings[5]['ProductFields']['secpipe/file']}:{findings[5]['ProductFields']['secpipe/line']}"


def test_show_and_update_with_note(hub_db):
    db, findings = hub_db
    target = findings[0]["Id"]
    shown = secpipe("findings", "show", target, "--db", db)
    assert shown.returncode == 0, shown.stderr
    assert f"Id:        {target}" in shown.stdout and "Workflow:  NEW" in shown.stdout
    updated = secpipe("findings", "update", target, findings[1]["Id"], "--workflow", "resolved",
                      "--note", "fixed in c0ffee", "--db", db)
    assert updated.returncode == 0, updated.stderr
    assert "updated 2 finding(s) to RESOLVED" in updated.stdout
    after = json.loads(secpipe("findings", "show", target, "--db", db, "--json").stdout)
    assert after["Workflow"]["Status"] == "RESOLVED"
    assert after["Note"]["Text"] == "fixed in c0ffee" and after["Note"]["UpdatedBy"] == "secpipe"
    resolved = secpipe("findings", "list", "--db", db, "--workflow", "RESOLVED", "--json")
    assert ids(resolved.stdout) == sorted([target, findings[1]["Id"]])


def test_unknown_id_is_exit_2(hub_db):
    db, _ = hub_db
    result = secpipe("findings", "show", "no/such/finding", "--db", db)
    assert result.returncode == 2
    assert "no finding with Id 'no/such/finding'" in result.stderr


def test_bad_workflow_is_a_usage_error(hub_db):
    db, findings = hub_db
    result = secpipe("findings", "update", findings[0]["Id"], "--workflow", "DONE", "--db", db)
    assert result.returncode == 2
    assert "invalid choice" in result.stderr
