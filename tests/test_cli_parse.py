"""`secpipe parse` as a user runs it: a JSON array on success, and for bad input
exit 2 with one stderr line naming the file and the problem, never a traceback."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, PROJECT, assert_valid_asff

BANDIT = FIXTURES / "real" / "bandit.json"

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<report><report_infos><info name="target">&lol9;</info></report_infos><vulnerabilities/></report>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE report [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<report><report_infos><info name="target">&xxe;</info></report_infos>
<vulnerabilities><vulnerability name="Leak"><description>&xxe;</description><entries><entry>
<method>GET</method><path>/</path><level>4</level><parameter>x</parameter><info>&xxe;</info>
</entry></entries></vulnerability></vulnerabilities></report>
"""


def secpipe(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *map(str, args)], cwd=PROJECT,
                          capture_output=True, text=True, timeout=120)


def test_good_report_gives_asff_with_the_given_context() -> None:
    result = secpipe("parse", "--tool", "bandit", BANDIT, "--account", "111122223333", "--region", "cn-north-1",
                     "--repo", "shop", "--branch", "feature/x", "--commit", "0123abcd")
    assert result.returncode == 0, result.stderr
    findings = json.loads(result.stdout)
    assert isinstance(findings, list) and len(findings) == 6
    assert_valid_asff(findings)
    for finding in findings:
        assert finding["AwsAccountId"] == "111122223333"
        assert finding["ProductArn"] == "arn:aws-cn:securityhub:cn-north-1:111122223333:product/111122223333/default"
        assert finding["Region"] == "cn-north-1"
        assert all(r["Partition"] == "aws-cn" and r["Region"] == "cn-north-1" for r in finding["Resources"])
        fields = finding["ProductFields"]
        assert (fields["secpipe/repo"], fields["secpipe/branch"], fields["secpipe/commit"]) == ("shop", "feature/x", "0123abcd")


def test_auto_detects_the_tool() -> None:
    result = secpipe("parse", "--tool", "auto", BANDIT)
    assert result.returncode == 0, result.stderr
    assert {f["ProductFields"]["secpipe/tool"] for f in json.loads(result.stdout)} == {"bandit"}


def _write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


BAD_INPUTS = {
    # case: (file name, content or None for a missing file, tool, extra args, words the message must contain)
    "truncated-json": ("bandit.json", BANDIT.read_bytes()[: len(BANDIT.read_bytes()) // 2], "bandit", (), "not valid JSON"),
    "wrong-tool": ("bandit.json", BANDIT.read_bytes(), "zap", (), "zap"),
    "empty": ("empty.json", b"", "bandit", (), "empty"),
    "empty-auto": ("empty.json", b"  \n", "auto", (), "empty"),
    "not-utf8": ("latin1.json", '{"results": [], "note": "caf\u00e9"}'.encode("latin-1"), "bandit", (), "UTF-8"),
    "billion-laughs": ("bomb.xml", BILLION_LAUGHS, "wapiti", (), "unsafe XML"),
    "billion-laughs-auto": ("bomb.xml", BILLION_LAUGHS, "auto", (), "unsafe XML"),
    "external-entity": ("xxe.xml", EXTERNAL_ENTITY, "wapiti", (), "unsafe XML"),
    "missing-file": ("does-not-exist.json", None, "bandit", (), "cannot read"),
    "unknown-tool": ("bandit.json", BANDIT.read_bytes(), "nosuchtool", (), "unknown tool 'nosuchtool'"),
    "bad-account": ("bandit.json", BANDIT.read_bytes(), "bandit", ("--account", "12345"), "--account must be 12 digits"),
    "auto-unrecognised": ("other.json", '{"hello": "world", "items": [1, 2]}', "auto", (), "not a report of any supported tool"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_exits_2_with_one_clean_line(case: str, tmp_path: Path) -> None:
    name, content, tool, extra, words = BAD_INPUTS[case]
    path = tmp_path / name if content is None else _write(tmp_path, name, content)
    result = secpipe("parse", "--tool", tool, path, *extra)
    assert result.returncode == 2, (result.stdout[:500], result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert str(path) in lines[0], f"the message must name the file: {lines[0]}"
    assert words.lower() in lines[0].lower()
    assert result.stdout == ""
    assert "root:" not in result.stderr, "an external entity must never be resolved"
