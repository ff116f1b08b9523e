"""`secpipe scan` publishes each tool's findings as that tool finishes, while others still run;
archival stays per scope after a complete run; the gate and the outputs see every finding."""
from __future__ import annotations

import io
import json
import threading
from pathlib import Path

from botocore.exceptions import EndpointConnectionError

from pipeline import identity
from pipeline.convert import to_validated_asff
from pipeline.finding import Severity
from pipeline.progress import PlainProgress
from pipeline.scan import scan
from pipeline.sinks.base import FailedFinding, PublishResult, Sink
from pipeline.sinks.history import HistorySource, PriorFinding
from pipeline.sinks.securityhub import SecurityHubPublishResult
from pipeline.stages import Stage
from pipeline.tool_publisher import merged
from pipeline.tools.base import ScanTarget, ToolRun, ToolStatus
from tests.test_scan_flow import FakeRunner, RecordingSink, fake_reports, finding, request, runners  # noqa: F401  (fixture)

#: Generous: only a broken publisher (one that waits for the last tool) ever waits this long.
WAIT_S = 60


class WaitsForTheHub(FakeRunner):
    """A slow tool that ends only once the hub has received another tool's findings."""

    def __init__(self, *args, hub_got_findings: threading.Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.hub_got_findings = hub_got_findings
        self.saw_them_while_running = False

    def run(self, target: ScanTarget, raw_dir: Path, timeout_s: float) -> ToolRun:
        self.saw_them_while_running = self.hub_got_findings.wait(WAIT_S)
        return super().run(target, raw_dir, timeout_s)


class SignallingSink(RecordingSink):
    def __init__(self) -> None:
        super().__init__()
        self.got_findings = threading.Event()

    def publish(self, findings, scopes):
        result = super().publish(findings, scopes)
        if findings:
            self.got_findings.set()
        return result


def test_a_finished_tool_is_published_while_another_still_runs(runners, tmp_path: Path) -> None:  # noqa: F811
    sink = SignallingSink()
    slow = WaitsForTheHub("checkov", Stage.IAC, status=ToolStatus.PASSED, hub_got_findings=sink.got_findings)
    runners += [FakeRunner("bandit", Stage.SAST, findings=[finding("bandit", "B602", Severity.HIGH)]), slow]
    outcome = scan(request(tmp_path, sink=sink), PlainProgress(io.StringIO()), fake_reports)
    assert slow.saw_them_while_running, "bandit's findings reached the hub only after every tool had finished"
    assert [(len(findings), [s.tool for s in scopes]) for findings, scopes in sink.calls] == [(1, ["bandit"]),
                                                                                              (0, ["checkov"])]
    assert outcome.publish is not None and (outcome.publish.sent, outcome.publish.accepted) == (1, 1)


def test_each_publish_holds_all_of_its_tools_findings_and_its_scope(runners, tmp_path: Path) -> None:  # noqa: F811
    """So the stale findings of a complete scope are exactly those missing from that one publish."""
    bandit = [finding("bandit", "B602", Severity.HIGH, "a.py"), finding("bandit", "B602", Severity.HIGH, "a.py"),
              finding("bandit", "B101", Severity.LOW, "b.py")]
    semgrep = [finding("semgrep", "rule", Severity.MEDIUM, "a.py")]
    runners += [FakeRunner("bandit", Stage.SAST, findings=bandit),
                FakeRunner("semgrep", Stage.SAST, status=ToolStatus.INCOMPLETE, findings=semgrep)]
    sink = RecordingSink()
    outcome = scan(request(tmp_path, sink=sink), PlainProgress(io.StringIO()), fake_reports)
    by_tool = {scopes[0].tool: (findings, scopes[0]) for findings, scopes in sink.calls}
    assert by_tool["bandit"][1].complete and not by_tool["semgrep"][1].complete
    assert [f["ProductFields"]["secpipe/tool"] for f in by_tool["bandit"][0]] == ["bandit"] * 3
    assert len(by_tool["semgrep"][0]) == 1
    # The same Ids and documents as converting every finding at once, in the runners' order.
    context = request(tmp_path).context
    expected = to_validated_asff(identity.number_occurrences(bandit + semgrep), context)
    written = json.loads((tmp_path / "out" / "findings.asff.json").read_text())
    assert [f["Id"] for f in written] == [f["Id"] for f in expected]
    assert len({f["Id"] for f in written}) == 4  # the repeated B602 is a second occurrence, not a duplicate
    assert [f.tool for f in outcome.result.findings] == ["bandit"] * 3 + ["semgrep"]


class FailsOnce(Sink):
    name = "fails"

    def __init__(self) -> None:
        self.calls = 0

    def publish(self, findings, scopes):
        self.calls += 1
        raise EndpointConnectionError(endpoint_url="http://127.0.0.1:9/")


def test_after_a_hub_failure_nothing_more_is_published_and_the_gate_fails(runners, tmp_path: Path) -> None:  # noqa: F811
    runners += [FakeRunner("bandit", Stage.SAST, findings=[finding("bandit", "B101", Severity.LOW)]),
                FakeRunner("semgrep", Stage.SAST, findings=[finding("semgrep", "r", Severity.LOW)])]
    sink = FailsOnce()
    outcome = scan(request(tmp_path, sink=sink), PlainProgress(io.StringIO()), fake_reports)
    assert sink.calls == 1
    assert outcome.publish is None and outcome.hub_error and "EndpointConnectionError" in outcome.hub_error
    assert outcome.exit_code == 1
    assert len(outcome.result.asff) == 2  # every finding is still in the outputs


def test_merged_publish_results_add_counts_and_join_failures() -> None:
    first = SecurityHubPublishResult(sent=3, accepted=2, failed=[FailedFinding("a", "X", "no")], archived=1,
                                     requests=4, unsuppressed=[FailedFinding("b", "Y", "no")])
    second = SecurityHubPublishResult(sent=5, accepted=5, suppressed=2, requests=1, throttles=1)
    total = merged([first, second])
    assert isinstance(total, SecurityHubPublishResult)
    assert (total.sent, total.accepted, total.archived, total.suppressed, total.requests, total.throttles) == \
        (8, 7, 1, 2, 5, 1)
    assert [f.id for f in total.failed] == ["a"] and [f.id for f in total.unsuppressed] == ["b"]
    assert merged([]) == PublishResult()


class KnownHistory(HistorySource):
    """The hub's active findings of (repo, branch) before the run, each with its tool."""

    def __init__(self, tools_by_id: dict[str, str]):
        self.tools_by_id = tools_by_id

    def findings(self, repo: str, branch: str) -> dict[str, PriorFinding]:
        return {fid: PriorFinding(first_observed_at=None, triage=None, tool=tool) for fid, tool in self.tools_by_id.items()}


def test_each_scope_carries_the_ids_its_tool_had_in_the_hub_before(runners, tmp_path: Path) -> None:  # noqa: F811
    runners += [FakeRunner("bandit", Stage.SAST, findings=[finding("bandit", "B602", Severity.HIGH)]),
                FakeRunner("checkov", Stage.IAC, status=ToolStatus.PASSED)]
    with_history = request(tmp_path, sink=(sink := RecordingSink()))
    with_history.history = KnownHistory({"old-bandit-1": "bandit", "old-bandit-2": "bandit", "old-semgrep": "semgrep"})
    scan(with_history, PlainProgress(io.StringIO()), fake_reports)
    known = {scope.tool: scope.known_active for _, scopes in sink.calls for scope in scopes}
    assert known == {"bandit": frozenset({"old-bandit-1", "old-bandit-2"}), "checkov": frozenset()}

    scan(request(tmp_path, sink=(unread := RecordingSink())), PlainProgress(io.StringIO()), fake_reports)
    assert {scope.known_active for _, scopes in unread.calls for scope in scopes} == {None}, \
        "without a history read, nothing is known: the sink must ask the hub"
