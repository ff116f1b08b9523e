"""secpipe's own Semgrep rules: every rule has annotated bad and good examples,
and `semgrep --test` passes on them (a missed or an extra match fails)."""
from __future__ import annotations

import os
import re
import subprocess

import pytest
import yaml

from pipeline.tools.locate import find_executable
from tests.conftest import PROJECT

RULES = PROJECT / "pipeline" / "tools" / "semgrep_rules"
EXAMPLES = PROJECT / "tests" / "semgrep_rules"


def _rule_ids() -> dict[str, str]:
    ids = {}
    for path in sorted(RULES.glob("*.yaml")):
        for rule in yaml.safe_load(path.read_text())["rules"]:
            ids[rule["id"]] = path.stem
    return ids


def test_every_rule_has_bad_and_good_examples() -> None:
    annotations = "\n".join(p.read_text() for p in EXAMPLES.iterdir() if p.is_file())
    for rule_id in _rule_ids():
        assert re.search(rf"ruleid: {re.escape(rule_id)}\b", annotations), f"{rule_id} has no bad example"
        assert re.search(rf"ok: {re.escape(rule_id)}\b", annotations), f"{rule_id} has no good example"


def test_rules_carry_cwe_and_owasp_metadata() -> None:
    for path in RULES.glob("*.yaml"):
        for rule in yaml.safe_load(path.read_text())["rules"]:
            assert re.match(r"CWE-\d+", rule["metadata"]["cwe"]), rule["id"]
            assert rule["metadata"]["owasp"].startswith("A"), rule["id"]
            assert rule["severity"] in {"ERROR", "WARNING", "INFO"}, rule["id"]


def test_covered_classes_per_language() -> None:
    """The classes issues 8 and 11 name, for Python, PHP and JavaScript: injection (SQL, NoSQL, OS, code,
    template, XPath, LDAP), XSS, path traversal, SSRF, open redirect, XXE, deserialisation, weak hash and
    random, cookie flags, trust boundary, file upload, secrets, TLS."""
    wanted = {"89", "943", "78", "95", "1336", "643", "90", "79", "22", "918", "601", "611", "502", "328", "338",
              "614", "1004", "501", "434", "798", "295"}
    for path in (RULES / f"{language}.yaml" for language in ("python", "php", "javascript")):
        cwes = {re.match(r"CWE-(\d+)", r["metadata"]["cwe"]).group(1) for r in yaml.safe_load(path.read_text())["rules"]}
        assert wanted <= cwes, f"{path.name} lacks {sorted(wanted - cwes)}"


@pytest.mark.scanner
def test_semgrep_test_mode_passes() -> None:
    semgrep = find_executable("semgrep")
    if semgrep is None:
        pytest.skip("semgrep is not installed (run: secpipe tools install semgrep)")
    env = dict(os.environ, SEMGREP_ENABLE_VERSION_CHECK="0", SEMGREP_SEND_METRICS="off")
    done = subprocess.run([str(semgrep), "--test", "--metrics=off", "--config", str(RULES), str(EXAMPLES)],
                          capture_output=True, text=True, env=env, timeout=600, cwd=PROJECT)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    total = len(_rule_ids())
    assert f"{total}/{total}: ✓ All tests passed" in output, output[-3000:]
