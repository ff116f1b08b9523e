"""pip-audit audits each requirements file on its own: two pins of one package in two files is normal."""
from __future__ import annotations

import json
from pathlib import Path

from pipeline.tools import registry
from pipeline.tools.base import ScanTarget, ToolStatus
from tests.tools.conftest import fake_program

# Like pip-audit: several -r files are one resolution, and two pins of one package stop it.
FAKE = """
import json, sys
args = sys.argv[1:]
files = [args[i + 1] for i, a in enumerate(args) if a == "-r"]
calls = json.load(open({calls!r})) if __import__("os").path.exists({calls!r}) else []
json.dump(calls + [files], open({calls!r}, "w"))
if len(files) > 1:
    sys.stderr.write("ERROR:pip_audit._cli:duplicate requirements\\n")
    sys.exit(1)
pin = open(files[0]).read().split("==")[1].strip()
vulns = [{{"id": "PYSEC-2018-28", "fix_versions": ["2.20.0"], "aliases": ["CVE-2018-18074"],
           "description": "credentials leak"}}] if pin == "2.19.0" else []
json.dump({{"dependencies": [{{"name": "requests", "version": pin, "vulns": vulns}}], "fixes": []}},
          open(args[args.index("-o") + 1], "w"))
sys.exit(1 if vulns else 0)
"""


def test_each_requirements_file_is_audited_on_its_own(tmp_path: Path, monkeypatch) -> None:
    root = tmp_path / "pygoat"
    root.mkdir()
    (root / "requirements.txt").write_text("requests==2.19.0\n")
    (root / "requirements-dev.txt").write_text("requests==2.31.0\n")
    calls = tmp_path / "calls.json"
    fake = fake_program(tmp_path, "pip-audit", FAKE.format(calls=str(calls)))
    runner = registry.get("pip-audit")
    monkeypatch.setattr(runner, "program", lambda: fake)
    raw = tmp_path / "raw"
    raw.mkdir()
    run = runner.run(ScanTarget(root), raw, timeout_s=60)
    assert run.status is ToolStatus.FINDINGS, run.detail
    assert sorted(json.loads(calls.read_text())) == [["requirements-dev.txt"], ["requirements.txt"]]
    [finding] = run.findings
    assert finding.packages[0].file_path == "requirements.txt" and finding.packages[0].version == "2.19.0"
    assert "2 requirements file(s)" in run.detail
    assert sorted(p.name for p in raw.iterdir()) == ["pip-audit-1.json", "pip-audit-2.json"]


def test_one_file_that_cannot_be_audited_makes_the_run_incomplete_naming_it(tmp_path: Path, monkeypatch) -> None:
    root = tmp_path / "app"
    root.mkdir()
    (root / "requirements.txt").write_text("requests==2.31.0\n")
    (root / "requirements-broken.txt").write_text("not a pin\n")
    fake = fake_program(tmp_path, "pip-audit", FAKE.format(calls=str(tmp_path / "calls.json")))
    runner = registry.get("pip-audit")
    monkeypatch.setattr(runner, "program", lambda: fake)
    raw = tmp_path / "raw"
    raw.mkdir()
    run = runner.run(ScanTarget(root), raw, timeout_s=60)
    assert run.status is ToolStatus.INCOMPLETE
    assert run.detail.startswith("requirements-broken.txt: error")
