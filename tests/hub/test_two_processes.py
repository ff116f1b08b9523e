"""Two processes on one hub file (issue 12 item 2): `hub serve` and a `scan` both open it.

An importer process re-imports the same findings over and over while a reviewer in
this process sets Workflow statuses and notes. A re-import never changes a
person's Workflow or Note, so every status the reviewer set must read back, and
the last one set must be the one stored. Before the read-modify-write was one
BEGIN IMMEDIATE transaction, the importer wrote back what it had read a moment
before and reverted some of them.
"""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from pipeline.hub.api import HubApi
from pipeline.hub.storage import FindingStore
from tests.conftest import PROJECT
from tests.hub.conftest import PRODUCT_ARN, make_finding

FINDINGS = 100
ROUNDS = 40
IDS = [f"f{i}" for i in range(FINDINGS)]

IMPORTER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from pipeline.hub.api import HubApi
    from pipeline.hub.storage import FindingStore
    from tests.hub.conftest import make_finding

    api = HubApi(FindingStore(Path(sys.argv[1])))
    findings = [make_finding(f"f{i}") for i in range(int(sys.argv[2]))]
    print("ready", flush=True)
    while not Path(sys.argv[3]).exists():
        result = api.call("BatchImportFindings", {"Findings": findings})
        assert result["FailedCount"] == 0, result
""")


def _status(api: HubApi, ident: str) -> tuple[str, str | None]:
    doc = api.store.fetch_by_keys([(PRODUCT_ARN, ident)])[(PRODUCT_ARN, ident)].doc
    return doc["Workflow"]["Status"], (doc.get("Note") or {}).get("Text")


def test_a_reimport_from_another_process_never_reverts_a_reviewer(tmp_path: Path) -> None:
    db, stop = tmp_path / "hub.db", tmp_path / "stop"
    api = HubApi(FindingStore(db))
    api.call("BatchImportFindings", {"Findings": [make_finding(ident) for ident in IDS]})
    importer = subprocess.Popen([sys.executable, "-c", IMPORTER, str(db), str(FINDINGS), str(stop)],
                                cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert importer.stdout is not None and importer.stdout.readline().strip() == "ready"
        reverted = 0
        for round_ in range(ROUNDS):
            status, note = ("SUPPRESSED", "NOTIFIED", "NEW")[round_ % 3], f"round {round_}"
            api.call("BatchUpdateFindings", {
                "FindingIdentifiers": [{"Id": ident, "ProductArn": PRODUCT_ARN} for ident in IDS],
                "Workflow": {"Status": status}, "Note": {"Text": note, "UpdatedBy": "reviewer"}})
            reverted += sum(_status(api, ident) != (status, note) for ident in IDS)
    finally:
        stop.touch()
        _, errors = importer.communicate(timeout=120)
    assert importer.returncode == 0, errors
    assert reverted == 0
    assert {_status(api, ident) for ident in IDS} == {(status, note)}
