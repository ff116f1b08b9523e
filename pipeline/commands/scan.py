"""`secpipe scan PATH`: run the pipeline on one machine (or one CodeBuild stage)."""
from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.console_links import securityhub_findings_url
from pipeline.context import ScanContext, context_for_product, context_from_environment
from pipeline.errors import ConfigError
from pipeline.finding import Severity
from pipeline.gitinfo import read_git_info
from pipeline.policy import Policy, load_policy
from pipeline.sinks import registry as sinks
from pipeline.sinks.base import Sink
from pipeline.sinks.options import add_hub_arguments, hub_options
from pipeline.stages import Stage
from pipeline.tools.base import ScanTarget

if TYPE_CHECKING:
    from pipeline.progress import HeldProgress
    from pipeline.result import ScanResult
    from pipeline.scan import ScanOutcome
    from pipeline.sinks.baseline import BaselineSource
    from pipeline.tool_runs import ToolRuns

DEFAULT_STAGES = "sca,sast,iac"
REPORT_URL_ENV = "SECPIPE_REPORT_URL"  # set by the buildspec to the archived report.html


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("scan", help="run the scanners on a source tree, publish findings, decide the gate")
    p.add_argument("path", nargs="?", default=".", help="the source tree to scan (default: .)")
    p.add_argument("--stages", default=None,
                   help=f"comma-separated stages: sca,sast,iac,dast (default: {DEFAULT_STAGES}, plus dast with --target)")
    p.add_argument("--target", help="URL of the running application for the dast stage")
    p.add_argument("--out", default="secpipe-out", help="output folder (default: ./secpipe-out)")
    p.add_argument("--fail-on", help="severity threshold for every stage: informational, low, medium, high, "
                                     "critical or none (overrides the policy file)")
    p.add_argument("--policy", type=Path, help="policy file (default: PATH/.secpipe.toml or [tool.secpipe] in PATH/pyproject.toml)")
    p.add_argument("--baseline", type=Path, help="findings.asff.json of a run on the baseline branch: only findings "
                                                 "not in it count (default: with the policy's baseline_branch, ask the hub)")
    p.add_argument("--tools", help="comma-separated tool names to run (default: every tool that applies)")
    p.add_argument("--unmasked-raw", action="store_true",
                   help="keep the scanners' raw reports under OUT/raw/ verbatim, secrets included (default: secrets "
                        "are masked in them as in every other output)")
    p.add_argument("--repo", help="repository name (default: from git or CodeBuild)")
    p.add_argument("--branch", help="branch (default: from git or CodeBuild)")
    add_hub_arguments(p)
    p.set_defaults(handler=run)


def _policy(args: argparse.Namespace, root: Path) -> Policy:
    policy = load_policy(root, args.policy)
    if args.fail_on is None:
        return policy
    if args.fail_on.lower() == "none":
        level = None
    else:
        try:
            level = Severity.parse(args.fail_on)
        except ValueError as exc:
            raise ConfigError(f"--fail-on: {exc}") from None
    # The flag is the user's explicit word for this run: it replaces every stage's threshold.
    stages = {stage: replace(t, fail_on=level) for stage, t in policy.stages.items()}
    return replace(policy, default=replace(policy.default, fail_on=level), stages=stages)


@dataclass(frozen=True)
class _HubChoice:
    sink: Sink | None      # None for --hub none: nothing is published
    context: ScanContext   # with the account, region and partition the hub's product says
    client: Any            # to query (baseline, triage); None for --hub none
    label: str             # for people: "the local hub at http://127.0.0.1:41234"


@contextlib.contextmanager
def _hub(args: argparse.Namespace, context: ScanContext) -> Iterator[_HubChoice]:
    options = hub_options(args, product_arn=context.effective_product_arn)
    with sinks.open_hub(args.hub, options) as (sink, connection):
        if connection is None:
            yield _HubChoice(None, context, None, "no hub")
            return
        # The hub decides the account (STS for AWS); the findings must carry it.
        context = context_for_product(context, connection.product_arn or context.effective_product_arn)
        where = f" at {connection.endpoint_url}" if connection.endpoint_url else f" in {context.region}"
        yield _HubChoice(sink, context, connection.client, f"the {args.hub} hub{where}")


def _check_baseline_source(given: BaselineSource | None, policy: Policy, hub: str) -> None:
    """Baseline mode asks the hub for the baseline unless --baseline FILE is given: with --hub none
    there is nothing to ask, a usage error before anything runs."""
    if given is None and policy.baseline_branch and hub == sinks.NO_HUB:
        raise ConfigError("baseline mode needs --baseline FILE or a hub (not --hub none)")


def _baseline(given: BaselineSource | None, policy: Policy, client: Any) -> BaselineSource | None:
    """--baseline FILE is the baseline whenever it is given (read and checked before anything ran);
    else the policy's baseline_branch in the hub (there is one: _check_baseline_source)."""
    from pipeline.sinks.baseline import HubBaseline

    if given is not None:
        return given
    if not policy.baseline_branch:
        return None
    return HubBaseline(client)


def _context(args: argparse.Namespace, root: Path) -> ScanContext:
    """Flags, then the environment (CodeBuild), then git, then defaults."""
    git = read_git_info(root)
    context = context_from_environment()
    return context.with_overrides(
        repo=args.repo or (git.repo if context.repo == "local" else None),
        branch=args.branch or (git.branch if context.branch == "main" and git.branch else None),
        commit=context.commit or git.commit,
        region=args.region,
    )


def _links(args: argparse.Namespace, context: ScanContext) -> dict[str, str]:
    """Where people review this run: Security Hub's console, and the published report when CodeBuild archived it."""
    links = {}
    if args.hub == "securityhub":
        links["securityhub"] = securityhub_findings_url(context)
    if os.environ.get(REPORT_URL_ENV):
        links["report"] = os.environ[REPORT_URL_ENV]
    return links


def run(args: argparse.Namespace) -> int:
    # Imported here, not at the top: rich, the tool runners and botocore are only needed for
    # a scan, and every `secpipe` command builds this module's parser.
    from pipeline.progress import HeldProgress, choose_progress
    from pipeline.sinks.baseline import FileBaseline
    from pipeline.tool_runs import ToolRuns, ToolSettings, check_tool_names, runners_for

    root = Path(args.path)
    if not root.is_dir():
        raise ConfigError(f"{args.path}: not a folder to scan")
    try:
        stages = Stage.parse_list(args.stages) if args.stages else Stage.parse_list(DEFAULT_STAGES)
    except ValueError as exc:
        raise ConfigError(f"--stages: {exc}") from None
    if args.stages is None and args.target:
        stages.append(Stage.DAST)
    if not stages:
        raise ConfigError("--stages: name at least one stage")
    out_dir = _out_dir(args.out)
    only_tools = [t.strip() for t in args.tools.split(",") if t.strip()] if args.tools else []
    check_tool_names(only_tools)
    policy = _policy(args, root)
    # A missing or unreadable FILE is a usage error before anything runs.
    baseline_file = FileBaseline(args.baseline) if args.baseline is not None else None
    _check_baseline_source(baseline_file, policy, args.hub)
    target = ScanTarget(path=root, url=args.target)
    runners = runners_for(target, stages, only_tools)
    # Held until the hub is open: an error opening it is then the one line printed.
    progress = HeldProgress(choose_progress(sys.stderr, quiet=args.quiet))
    # The scanners need nothing from the hub: they start now, and the hub is opened (and the rest
    # of secpipe imported) while they run (pipeline.tool_runs).
    tools = ToolRuns.start(runners, ToolSettings(target, out_dir / "raw", policy, mask_raw=not args.unmasked_raw),
                           progress)
    try:
        outcome = _scan(args, root, out_dir, stages, only_tools, policy, baseline_file, tools, progress)
    except BaseException:
        tools.stop()
        progress.close()
        raise
    from pipeline.findings_table import print_findings_table

    if not args.quiet:
        print_findings_table(outcome.result, sys.stdout)
    _print_outcome(outcome, args, policy)
    return outcome.exit_code


def _scan(args: argparse.Namespace, root: Path, out_dir: Path, stages: list[Stage], only_tools: list[str],
          policy: Policy, baseline_file: BaselineSource | None, tools: ToolRuns,
          progress: HeldProgress) -> ScanOutcome:
    """The rest of the scan, with the hub, while the tools already run."""
    from pipeline.scan import ScanRequest, scan
    from pipeline.sinks.history import HubHistory

    with _hub(args, _context(args, root)) as hub:
        request = ScanRequest(
            target=tools.settings.target,
            stages=stages,
            out_dir=out_dir,
            policy=policy,
            context=hub.context,
            sink=hub.sink,
            baseline=_baseline(baseline_file, policy, hub.client),
            history=HubHistory(hub.client) if hub.client is not None else None,
            only_tools=only_tools,
            links=_links(args, hub.context),
            hub_label=hub.label,
            mask_raw=tools.settings.mask_raw,
        )
        progress.release()
        return scan(request, progress, _write_reports, _prepare_reports, tools=tools)


def _prepare_reports() -> None:
    # jinja2 and the templates: imported and compiled while the tools run (pipeline.scan runs
    # this on a thread of its own), not before the first tool starts nor after the last one.
    from reports.templating import prepare

    prepare()


def _write_reports(result: ScanResult, out_dir: Path) -> dict[str, Path]:
    from reports import write_all

    return write_all(result, out_dir)


def _out_dir(value: str) -> Path:
    """--out must be a folder secpipe can create or write into; a file there is a one-line error."""
    path = Path(value)
    if path.exists() and not path.is_dir():
        raise ConfigError(f"--out {value}: exists and is not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"--out {value}: cannot create the folder ({exc.strerror})") from None
    return path


def _print_outcome(outcome: ScanOutcome, args: argparse.Namespace, policy: Policy) -> None:
    gate = outcome.result.gate
    assert gate is not None, "scan always decides the gate"
    print(f"gate: {'PASSED' if gate.passed else 'FAILED'} ({len(outcome.result.findings)} findings; "
          f"policy: {policy.source})")
    for reason in gate.reasons:
        print(f"  - {reason}")
    if outcome.hub_error is not None:
        print(f"hub ({args.hub}): import failed: {outcome.hub_error}")
    if outcome.publish is not None and args.hub != sinks.NO_HUB:
        p = outcome.publish
        print(f"hub ({args.hub}): sent {p.sent}, accepted {p.accepted}, failed {len(p.failed)}, "
              f"archived {p.archived}, suppressed {p.suppressed}")
    print(f"reports: {Path(args.out).resolve()}")
