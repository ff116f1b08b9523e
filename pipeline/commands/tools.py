"""`secpipe tools install [TOOL...]` and `secpipe tools list`: the scanners on this machine."""
from __future__ import annotations

import argparse

from pipeline.errors import ConfigError
from pipeline.tools import install, registry
from pipeline.tools.base import ToolRunner
from pipeline.tools.locate import tools_dir


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("tools", help="install and list the scanners")
    actions = p.add_subparsers(dest="tools_command", required=True)
    inst = actions.add_parser("install", help="install the pinned Python scanners, each into its own environment")
    inst.add_argument("tool", nargs="*", help="tools to install (default: every pinned scanner)")
    inst.set_defaults(handler=run_install)
    lst = actions.add_parser("list", help="each tool, its stage, installed version and how to get it")
    lst.set_defaults(handler=run_list)


def run_install(args: argparse.Namespace) -> int:
    pinned = install.load_lock()
    known = {runner.name: runner for runner in registry.runners()}
    wanted = args.tool or list(pinned)
    unknown = [name for name in wanted if name not in known and name not in pinned]
    if unknown:
        raise ConfigError(f"unknown tool {unknown[0]!r}; use one of: {', '.join(sorted(set(known) | set(pinned)))}")
    print(f"scanner environments: {tools_dir()}")
    ok = True
    for name in wanted:
        if name in pinned:
            result = install.install(pinned[name], say=lambda line: print(f"  {line}", flush=True))
            print(f"{name}: {result.action} ({result.detail})", flush=True)
            ok = ok and result.ok
        elif args.tool:  # asked for by name, but secpipe does not install it
            runner = known[name]
            present = runner.missing() is None
            print(f"{name}: {'present' if present else 'absent'} here; secpipe does not install it "
                  f"({runner.install_hint or 'install it yourself'})")
            ok = ok and present
    if not args.tool:
        for name, runner in known.items():
            if name not in pinned:
                state = "present" if runner.missing() is None else "absent"
                print(f"{name}: {state} here; secpipe does not install it ({runner.install_hint or 'install it yourself'})")
    return 0 if ok else 1


def run_list(args: argparse.Namespace) -> int:
    pinned = install.load_lock()
    rows = [("TOOL", "STAGE", "VERSION", "HOW")]
    for runner in registry.runners():
        rows.append((runner.name, runner.stage.value, _version(runner, pinned), _how(runner, pinned)))
    for name in sorted(set(pinned) - {r.name for r in registry.runners()}):
        rows.append((name, "-", install.installed_version(pinned[name]) or "not installed", "pinned, no runner"))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        print(f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:<{widths[2]}}  {row[3]}".rstrip())
    return 0


def _version(runner: ToolRunner, pinned: dict[str, install.PinnedTool]) -> str:
    if runner.name in pinned:
        in_env = install.installed_version(pinned[runner.name])
        if in_env:
            return in_env
    if runner.missing() is not None:
        return "not installed"
    return runner.version() or "installed"


def _how(runner: ToolRunner, pinned: dict[str, install.PinnedTool]) -> str:
    if runner.name in pinned:
        tool = pinned[runner.name]
        if install.installed_version(tool):
            where = f"own env, {install.installed_interpreter(tool) or 'python unknown: reinstall'}"
        else:
            where = "not in its env: run secpipe tools install " + runner.name
        return f"pinned {tool.package}=={tool.version} ({where})"
    return runner.install_hint or "install it yourself"
