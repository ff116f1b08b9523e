"""Finding identity: stable across runs, blind to moved lines, unique in a report, bounded."""
from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import identity
from pipeline.finding import Category, CodeLocation, Finding, IacLocation, Package, Severity, WebLocation


def _sast(line: int, snippet: str = "subprocess.call(cmd, shell=True)", path: str = "app/run.py", rule: str = "B602") -> Finding:
    return Finding(tool="bandit", rule_id=rule, title="shell", severity=Severity.HIGH, category=Category.SAST,
                   code_locations=[CodeLocation(path=path, start_line=line, snippet=f"{line} {snippet}")])


def _id(finding: Finding, repo: str = "repo", branch: str = "main") -> str:
    return identity.finding_id(identity.number_occurrences([finding])[0], repo, branch)


def test_id_is_the_same_on_every_run() -> None:
    assert _id(_sast(10)) == _id(_sast(10))


def test_moved_line_keeps_the_id() -> None:
    assert _id(_sast(10)) == _id(_sast(42))


def test_path_spellings_are_one_file() -> None:
    assert _id(_sast(3, path="./app/run.py")) == _id(_sast(3, path="app\\run.py")) == _id(_sast(3, path="file://app/run.py"))


def test_different_code_rule_or_file_gives_a_different_id() -> None:
    base = _id(_sast(10))
    assert _id(_sast(10, snippet="os.system(cmd)")) != base
    assert _id(_sast(10, rule="B605")) != base
    assert _id(_sast(10, path="app/other.py")) != base


def test_repo_and_branch_are_separate_findings() -> None:
    finding = _sast(10)
    assert len({_id(finding, "repo", "main"), _id(finding, "repo", "feature"), _id(finding, "fork", "main")}) == 3


def test_identical_findings_in_one_report_get_unique_ids_in_report_order() -> None:
    findings = identity.number_occurrences([_sast(5), _sast(9), _sast(30)])
    ids = [identity.finding_id(f, "repo", "main") for f in findings]
    assert len(set(ids)) == 3
    assert [f.occurrence for f in findings] == [0, 1, 2]
    # The same report with every line moved gives the same three Ids.
    moved = identity.number_occurrences([_sast(15), _sast(19), _sast(40)])
    assert [identity.finding_id(f, "repo", "main") for f in moved] == ids


def test_id_is_bounded_and_readable() -> None:
    finding = dataclasses.replace(_sast(1), tool="t" * 900, rule_id="r/" * 900)
    value = _id(finding)
    assert len(value) <= identity.MAX_ID_LENGTH
    assert value.startswith("t" * 10)
    # The hash survives the long prefix, so two long rules still differ.
    other = dataclasses.replace(finding, rule_id="r/" * 899 + "x")
    assert _id(other) != value


def test_unsafe_characters_do_not_reach_the_id() -> None:
    value = _id(dataclasses.replace(_sast(1), tool="to ol\n", rule_id="rule with spaces\x00"))
    assert " " not in value and "\n" not in value and "\x00" not in value


def test_snippet_hash_ignores_whitespace_and_line_numbers() -> None:
    assert identity.snippet_hash("12 \tx = 1\n13 y=2") == identity.snippet_hash("x=1\n  y = 2")
    assert identity.snippet_hash("x = 1") != identity.snippet_hash("x = 2")
    assert identity.snippet_hash(None) == identity.snippet_hash("") == ""
    assert identity.snippet_hash("\ud800 lone surrogate")  # no UnicodeEncodeError


def test_web_key_leaves_out_query_values_but_keeps_names() -> None:
    def web(url: str, parameter: str = "q") -> Finding:
        return Finding(tool="zap", rule_id="40012", title="xss", severity=Severity.HIGH, category=Category.DAST,
                       web_locations=[WebLocation(url=url, method="get", parameter=parameter)])
    assert _id(web("https://h/search?q=1")) == _id(web("https://h/search?q=2"))
    assert _id(web("https://h/search?q=1")) != _id(web("https://h/search?q=1&page=2"))
    assert _id(web("https://h/search?q=1")) != _id(web("https://h/search?q=1", parameter="other"))
    assert _id(web("http://[broken/x"))  # an unparsable URL still gets an Id


def test_iac_key_is_template_and_logical_id_not_line() -> None:
    def iac(line: int, logical_id: str = "Bucket") -> Finding:
        return Finding(tool="checkov", rule_id="CKV_AWS_20", title="public", severity=Severity.HIGH, category=Category.IAC,
                       iac_location=IacLocation(template="cfn/t.yaml", logical_id=logical_id, line=line))
    assert _id(iac(3)) == _id(iac(300))
    assert _id(iac(3)) != _id(iac(3, "OtherBucket"))


def test_package_key_ignores_the_version() -> None:
    def sca(version: str) -> Finding:
        return Finding(tool="pip-audit", rule_id="PYSEC-1", title="vuln", severity=Severity.HIGH, category=Category.SCA,
                       packages=[Package(name="requests", version=version, ecosystem="pip", file_path="requirements.txt")])
    assert _id(sca("2.0.0")) == _id(sca("2.1.0"))


def test_tool_fingerprint_wins_over_location() -> None:
    a = dataclasses.replace(_sast(1), fingerprint="abc")
    b = dataclasses.replace(_sast(1, path="elsewhere.py", snippet="other()"), fingerprint="abc")
    assert _id(a) == _id(b)
    assert _id(dataclasses.replace(a, fingerprint="abd")) != _id(a)


def test_generator_id_is_tool_and_rule() -> None:
    assert identity.generator_id(_sast(1)) == "bandit/B602"


def test_generator_id_is_never_blank() -> None:
    """Found by the property test: a 512-space tool name and an empty rule once gave a blank GeneratorId."""
    from pipeline.finding import Category, Finding, Severity
    from pipeline.identity import generator_id

    finding = Finding(" " * 512, "", "t", Severity.LOW, Category.SCA)
    assert generator_id(finding).strip() == "unknown-tool/unknown-rule"
    long_tool = Finding("t" * 600, "B101", "t", Severity.LOW, Category.SAST)
    assert generator_id(long_tool).endswith("/B101") and len(generator_id(long_tool)) <= 512


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(codec=None, exclude_categories=()), max_size=300)
       | st.text("ABCxyz019._:@/+=- \t#ä", max_size=300))
def test_the_readable_prefix_is_made_safe_as_the_regex_makes_it(text: str) -> None:
    for limit in (100, 200):
        assert identity._safe_part(text, limit) == identity._UNSAFE.sub("_", text)[:limit]
