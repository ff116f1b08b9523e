"""`secpipe scan PATH`: run the pipeline on one machine (or one CodeBuild stage)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.baseline import BaselineSource, FileBaseline
from pipeline.context import context_from_environment
from pipeline.errors import ConfigError
from pipeline.finding import Severity
from pipeline.gitinfo import read_git_info
from pipeline.policy import Policy, Threshold, load_policy
from pipeline.progress import choose_progress
from pipeline.scan import ScanRequest, scan
from pipeline.stages import Stage
from pipeline.tools.base import ScanTarget

DEFAULT_STAGES = "sca,sast,iac"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("scan", help="run the scanners on a source tree, publish findings, decide the gate")
    p.add_argument("path", nargs="?", default=".", help="the source tree to scan (default: .)")
    p.add_argument("--stages", default=None,
                   help=f"comma-separated stages: sca,sast,iac,dast (default: {DEFAULT_STAGES}, plus dast with --target)")
    p.add_argument("--target", help="URL of the running application for the dast stage")
    p.add_argument("--out", default="secpipe-out", help="output folder (default: ./secpipe-out)")
    p.add_argument("--hub", default="local", help="where findings go: local (default), securityhub or none")
    p.add_argument("--endpoint-url", help="Security Hub endpoint (a local hub's URL, for --hub securityhub)")
    p.add_argument("--fail-on", help="severity threshold for every stage: informational, low, medium, high, "
                                     "critical or none (overrides the policy file)")
    p.add_argument("--policy", type=Path, help="policy file (default: PATH/.secpipe.toml or [tool.secpipe] in PATH/pyproject.toml)")
    p.add_argument("--baseline", type=Path, help="findings.asff.json of the last run on the policy's baseline_branch "
                                                 "(default: ask the hub)")
    p.add_argument("--tools", help="comma-separated tool names to run (default: every tool that applies)")
    p.add_argument("--repo", help="repository name (default: from git or CodeBuild)")
    p.add_argument("--branch", help="branch (default: from git or CodeBuild)")
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
    stages = {stage: Threshold(level, t.max_counts) for stage, t in policy.stages.items()}
    return Policy(default=Threshold(level, policy.default.max_counts), stages=stages, incomplete=policy.incomplete,
                  missing=policy.missing, baseline_branch=policy.baseline_branch, suppressions=policy.suppressions,
                  timeouts=policy.timeouts, source=policy.source)


def run(args: argparse.Namespace) -> int:
    from pipeline.sinks import registry as sinks  # the hub machinery is only loaded for a scan
    from reports import write_all

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
    policy = _policy(args, root)
    git = read_git_info(root)
    context = context_from_environment()
    context = context.with_overrides(repo=args.repo or (None if context.repo != "local" else git.repo),
                                     branch=args.branch or (git.branch if context.branch == "main" and git.branch else None),
                                     commit=context.commit or git.commit)
    sink = sinks.create(args.hub, context=context, endpoint_url=args.endpoint_url)
    baseline: BaselineSource | None = None
    if policy.baseline_branch:
        baseline = FileBaseline(args.baseline) if args.baseline else sinks.baseline_source(sink)
    request = ScanRequest(
        target=ScanTarget(path=root, url=args.target),
        stages=stages,
        out_dir=Path(args.out),
        policy=policy,
        context=sink.context if getattr(sink, "context", None) else context,
        sink=sink,
        baseline=baseline,
        only_tools=[t.strip() for t in args.tools.split(",") if t.strip()] if args.tools else [],
    )
    try:
        outcome = scan(request, choose_progress(sys.stderr), write_all)
    finally:
        close = getattr(sink, "close", None)
        if close:
            close()
    gate = outcome.result.gate
    print(f"gate: {'PASSED' if gate.passed else 'FAILED'} ({len(outcome.result.findings)} findings, "
          f"policy: {policy.source})")
    for reason in gate.reasons:
        print(f"  - {reason}")
    if outcome.publish is not None:
        p = outcome.publish
        print(f"hub ({args.hub}): sent {p.sent}, accepted {p.accepted}, failed {len(p.failed)}, "
              f"archived {p.archived}, suppressed {p.suppressed}")
    print(f"reports: {Path(args.out).resolve()}")
    return outcome.exit_code
