"""`secpipe publish` end to end, as a subprocess."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from moto.server import ThreadedMotoServer

from pipeline.asff import to_asff
from tests.sinks.builders import asff_findings, make_finding
from tests.sinks.builders import context as build_context
from tests.sinks.fakes import FakeSecurityHub


def secpipe(*args: str):
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], capture_output=True, text=True, timeout=120)


def counts(stdout: str) -> dict[str, int]:
    line = stdout.strip().splitlines()[-1]
    return {k: int(v) for k, v in (part.split("=") for part in line.split(": ", 1)[1].split())}


def write(tmp_path, findings, name="findings.json"):
    path = tmp_path / name
    path.write_text(json.dumps(findings))
    return str(path)


def test_publish_into_local_hub_then_archive_with_complete(tmp_path):
    db = str(tmp_path / "hub.sqlite3")
    findings = asff_findings(12)
    first = secpipe("publish", write(tmp_path, findings), "--hub", "local", "--db", db)
    assert first.returncode == 0, first.stderr
    assert counts(first.stdout) == {"sent": 12, "accepted": 12, "failed": 0, "archived": 0, "suppressed": 0,
                                    "requests": 1, "throttles": 0}
    # Not --complete: nothing archived even though 4 findings are missing.
    partial = secpipe("publish", write(tmp_path, findings[:8]), "--db", db)
    assert counts(partial.stdout)["archived"] == 0
    complete = secpipe("publish", write(tmp_path, findings[:8]), "--db", db, "--complete")
    assert complete.returncode == 0, complete.stderr
    assert counts(complete.stdout)["archived"] == 4
    # A complete run of bandit that found nothing: the scope is named with --scope-tool.
    empty = secpipe("publish", write(tmp_path, []), "--db", db, "--complete", "--scope-tool", "bandit",
                    "--repo", "demo", "--branch", "main", "--account", "123456789012")
    assert empty.returncode == 0, empty.stderr
    assert counts(empty.stdout)["archived"] == 8
    listed = secpipe("findings", "list", "--db", db, "--record-state", "archived", "--json")
    assert listed.returncode == 0, listed.stderr
    assert sorted(f["Id"] for f in json.loads(listed.stdout)) == sorted(f["Id"] for f in findings)


def test_lost_findings_fail_the_command_and_are_named(tmp_path):
    findings = asff_findings(20)
    with FakeSecurityHub() as hub:
        hub.faults.fail_item(findings[3]["Id"], "InvalidInput", times=None)
        hub.faults.fail_item(findings[4]["Id"], "InternalException", times=2)  # recovers on retry
        hub.faults.add("BatchImportFindings", "throttle", times=2)
        result = secpipe("publish", write(tmp_path, findings), "--endpoint-url", hub.endpoint_url)
    assert result.returncode == 1
    got = counts(result.stdout)
    assert got["sent"] == 20 and got["accepted"] == 19 and got["failed"] == 1 and got["throttles"] == 2
    assert f"not accepted: {findings[3]['Id']}: InvalidInput" in result.stderr
    assert findings[4]["Id"] not in result.stderr
    assert "1 finding(s) not accepted" in result.stderr


@pytest.mark.parametrize("content, message", [
    ("{not json", "not JSON"),
    ('{"Findings": []}', "expected a JSON array"),
    ('[{"Id": "x"}]', "finding 0 (x) is not valid ASFF"),
])
def test_bad_file_is_one_line_exit_2(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    result = secpipe("publish", str(path), "--hub", "none")
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_parse_output_piped_into_publish(tmp_path):
    report = tmp_path / "bandit.json"
    report.write_text(json.dumps({"results": [{
        "filename": "app.py", "test_id": "B602", "test_name": "subprocess_popen_with_shell_equals_true",
        "issue_severity": "HIGH", "issue_confidence": "HIGH", "issue_text": "shell=True", "line_number": 3,
        "line_range": [3], "code": "3 subprocess.call(cmd, shell=True)\n", "more_info": "https://bandit.readthedocs.io",
        "issue_cwe": {"id": 78, "link": "https://cwe.mitre.org/data/definitions/78.html"}}], "errors": []}))
    parsed = secpipe("parse", "--tool", "bandit", str(report), "--account", "123456789012")
    assert parsed.returncode == 0, parsed.stderr
    published = subprocess.run([sys.executable, "-m", "pipeline.cli", "publish", "-", "--db",
                                str(tmp_path / "hub.sqlite3")], input=parsed.stdout, capture_output=True, text=True,
                               timeout=120)
    assert published.returncode == 0, published.stderr
    assert counts(published.stdout)["accepted"] == len(json.loads(parsed.stdout)) == 1


def test_duplicate_ids_are_refused(tmp_path):
    finding = asff_findings(1)[0]
    result = secpipe("publish", write(tmp_path, [finding, finding]), "--hub", "none")
    assert result.returncode == 2
    assert "appears more than once" in result.stderr


def test_a_refused_finding_is_named_its_good_neighbours_are_published_and_nothing_is_archived(tmp_path):
    db = str(tmp_path / "hub.sqlite3")
    findings = asff_findings(6)
    assert secpipe("publish", write(tmp_path, findings), "--db", db).returncode == 0
    bad = [dict(f) for f in findings[:5]]
    bad[2]["Title"] = "lone \ud800 surrogate"  # json.dumps writes it as an escape, as other tools may
    result = secpipe("publish", write(tmp_path, bad), "--db", db, "--complete")
    assert result.returncode == 2
    refused = [line for line in result.stderr.splitlines() if "is not valid ASFF" in line]
    assert len(refused) == 1 and f"finding 2 ({bad[2]['Id']})" in refused[0] and "surrogate" in refused[0]
    assert "--complete ignored" in result.stderr
    got = counts(result.stdout.replace(" refused=1", ""))
    assert got["accepted"] == 4 and got["archived"] == 0  # findings[5] is absent but not archived
    assert "refused=1" in result.stdout


def test_hub_none_publishes_nothing(tmp_path):
    result = secpipe("publish", write(tmp_path, asff_findings(3)), "--hub", "none")
    assert result.returncode == 0
    assert counts(result.stdout)["sent"] == 0


def test_scope_tool_without_repo_on_empty_file_is_a_usage_error(tmp_path):
    result = secpipe("publish", write(tmp_path, []), "--hub", "none", "--complete", "--scope-tool", "bandit")
    assert result.returncode == 2
    assert "--scope-tool needs --repo" in result.stderr


def test_securityhub_hub_takes_account_from_sts(tmp_path):
    """--hub securityhub: STS (moto on loopback) names the account; findings of another account are refused."""
    sts = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    sts.start()
    host, port = sts.get_host_and_port()
    env = dict(os.environ, AWS_ENDPOINT_URL_STS=f"http://{host}:{port}", AWS_ACCESS_KEY_ID="testing",
               AWS_SECRET_ACCESS_KEY="testing", AWS_REGION="us-east-1", AWS_CONFIG_FILE=os.devnull,
               AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    env.pop("AWS_PROFILE", None)
    findings = asff_findings(3)  # account 123456789012, moto's default caller account
    other = [to_asff(make_finding(1), build_context().with_overrides(account="999999999999"))]
    try:
        with FakeSecurityHub() as hub:
            def run(path):
                return subprocess.run([sys.executable, "-m", "pipeline.cli", "publish", path, "--hub", "securityhub",
                                       "--endpoint-url", hub.endpoint_url], capture_output=True, text=True,
                                      timeout=120, env=env)
            ok = run(write(tmp_path, findings))
            refused = run(write(tmp_path, other, "other.json"))
            stored = len(hub.store)
    finally:
        sts.stop()
    assert ok.returncode == 0, ok.stderr
    assert counts(ok.stdout)["accepted"] == 3 and stored == 3
    assert refused.returncode == 2
    assert "999999999999" in refused.stderr and "123456789012" in refused.stderr
