"""`secpipe scan` against the 2-core floor, as users run it.

Generates a repository of a few hundred files (Python, JavaScript, PHP and
CloudFormation, with some real issues in each), then:
  1. runs each installed static tool alone, one after another (the same runner code,
     so the same command lines), and takes each one's wall time and the CPU seconds of
     the scanner processes from the kernel (getrusage of the reaped children);
  2. runs the real CLI, `python -m pipeline.cli scan TREE` with the local hub, with and
     without PYTHONUNBUFFERED=1, and takes its wall time, and its CPU seconds (its own and
     its scanners') and peak RSS from the kernel (os.wait4).

The 2-core floor is what no scheduler can beat on two cores: the tools' own CPU seconds
/ 2 plus secpipe's own work (the scan's CPU seconds less the tools'), and never less than
the slowest tool alone. Target: scan wall <= 1.10 x the floor. Figures are printed,
never asserted. The machine must be otherwise idle for the wall figures to mean much.

    python benchmarks/scan.py [--files 400] [--keep DIR]
"""
from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from child_process import ENVIRONMENTS, ProcessCost, run_measured, secpipe_command  # noqa: E402

from pipeline.stages import Stage  # noqa: E402
from pipeline.tools import registry  # noqa: E402
from pipeline.tools.base import ScanTarget  # noqa: E402

TARGET_RATIO = 1.10
CORES = 2


@dataclass(frozen=True)
class ToolCost:
    wall: float
    cpu: float  # the scanner processes' user + system seconds


PY = '''import hashlib
import subprocess


def handler_{n}(user, password):
    digest = hashlib.md5(password.encode()).hexdigest()
    subprocess.call("echo " + user, shell=True)
    return {{"user": user, "digest": digest, "n": {n}}}


def helper_{n}(values):
    total = 0
    for value in values:
        total += value * {n}
    return total
'''

JS = '''const crypto = require("crypto");

function render{n}(el, text) {{
  el.innerHTML = text;
}}

function hash{n}(value) {{
  return crypto.createHash("sha1").update(value).digest("hex");
}}

module.exports = {{ render{n}, hash{n} }};
'''

PHP = '''<?php
function page_{n}() {{
    echo "<p>" . $_GET['q{n}'] . "</p>";
    return md5("value-{n}");
}}
'''

CFN = '''AWSTemplateFormatVersion: "2010-09-09"
Description: generated template {n}
Resources:
  Bucket{n}:
    Type: AWS::S3::Bucket
  Queue{n}:
    Type: AWS::SQS::Queue
  Group{n}:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: group {n}
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: 0.0.0.0/0
'''


def generate(root: Path, files: int) -> None:
    rng = random.Random(7)
    kinds = [("app", ".py", PY, 0.45), ("web", ".js", JS, 0.25), ("php", ".php", PHP, 0.15), ("infra", ".yaml", CFN, 0.15)]
    for n in range(files):
        folder, suffix, template, _ = rng.choices(kinds, weights=[k[3] for k in kinds])[0]
        path = root / folder / f"module_{n}{suffix}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(template.format(n=n))


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_each_tool(root: Path, out: Path) -> dict[str, ToolCost]:
    costs = {}
    target = ScanTarget(path=root)
    for runner in registry.runners():
        if runner.stage is Stage.DAST or runner.missing() or not runner.applies(target):
            continue
        raw = out / runner.name
        raw.mkdir(parents=True)
        cpu_before, started = children_cpu(), time.perf_counter()
        run = runner.run(target, raw, 1800)
        costs[runner.name] = ToolCost(wall=time.perf_counter() - started, cpu=children_cpu() - cpu_before)
        print(f"  {runner.name:<12} wall {costs[runner.name].wall:7.1f} s  CPU {costs[runner.name].cpu:7.1f} s  "
              f"{run.status.value}, {len(run.findings)} findings", flush=True)
    return costs


def time_scan(root: Path, out: Path, tools: list[str], env: dict[str, str]) -> ProcessCost:
    return run_measured(secpipe_command("scan", str(root), "--out", str(out), "--db", str(out / "hub.sqlite3"),
                                        "--tools", ",".join(tools), "-q"), extra_env=env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=400)
    parser.add_argument("--keep", type=Path, help="generate the repository here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = args.keep or Path(scratch) / "repo"
        root.mkdir(parents=True, exist_ok=True)
        generate(root, args.files)
        print(f"repository: {args.files} files in {root}")
        print("each tool alone, one after another:")
        costs = time_each_tool(root, Path(scratch) / "sequential")
        if not costs:
            raise SystemExit("no static scanner is installed (run: secpipe tools install)")
        sequential = sum(c.wall for c in costs.values())
        tools_cpu = sum(c.cpu for c in costs.values())
        slowest_tool, slowest = max(((name, c.wall) for name, c in costs.items()), key=lambda item: item[1])
        print(f"sequential sum {sequential:.1f} s wall, tools' CPU {tools_cpu:.1f} s; slowest tool {slowest_tool} "
              f"{slowest:.1f} s")
        print()
        print(f"{'secpipe scan':<21}{'wall s':>8}{'CPU s':>8}{'own CPU s':>11}{'floor s':>9}{'/ floor':>9}"
              f"{'/ sequential':>14}{'peak MiB':>10}  target (<= {TARGET_RATIO:.2f} x the {CORES}-core floor)")
        for name, env in ENVIRONMENTS.items():
            cost = time_scan(root, Path(scratch) / f"scan-{len(name)}", list(costs), env)
            own = max(0.0, cost.cpu - tools_cpu)  # secpipe's own work: parsing, ASFF, the hub, reports
            floor = max(tools_cpu / CORES + own, slowest)
            ratio = cost.wall / floor
            print(f"{name:<21}{cost.wall:>8.1f}{cost.cpu:>8.1f}{own:>11.1f}{floor:>9.1f}{ratio:>9.2f}"
                  f"{cost.wall / sequential:>14.2f}{cost.peak_rss_mib:>10.0f}  "
                  f"{'met' if ratio <= TARGET_RATIO else 'MISSED'}", flush=True)


if __name__ == "__main__":
    main()
