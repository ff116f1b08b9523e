"""How much `secpipe scan` gains from running tools concurrently.

Generates a repository of a few hundred files (Python, JavaScript, PHP and
CloudFormation, with some real issues in each), then times:
  1. each installed static tool alone, one after another (what running them by
     hand in sequence costs; the same runner code, so the same command lines),
  2. `secpipe scan` on the same tree (all stages at once, local hub included).
Prints the wall times, the ratio to the sequential sum (target <= 0.65 on 2
cores) and to the slowest single tool (target <= 1.15).

    python benchmarks/scan.py [--files 400] [--keep DIR]
"""
from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipeline.stages import Stage
from pipeline.tools import registry
from pipeline.tools.base import ScanTarget

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


def time_each_tool(root: Path, out: Path) -> dict[str, float]:
    times = {}
    target = ScanTarget(path=root)
    for runner in registry.runners():
        if runner.stage is Stage.DAST or runner.missing() or not runner.applies(target):
            continue
        raw = out / runner.name
        raw.mkdir(parents=True)
        started = time.perf_counter()
        run = runner.run(target, raw, 1800)
        times[runner.name] = time.perf_counter() - started
        print(f"  {runner.name:<12} {times[runner.name]:7.1f} s  {run.status.value}, {len(run.findings)} findings")
    return times


def time_scan(root: Path, out: Path, tools: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pipeline.cli", "scan", str(root), "--out", str(out),
                           "--db", str(out / "hub.sqlite3"), "--tools", ",".join(tools)],
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"secpipe scan failed ({done.returncode}): {done.stderr[-2000:]}")
    return elapsed


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
        times = time_each_tool(root, Path(scratch) / "sequential")
        if not times:
            raise SystemExit("no static scanner is installed (run: secpipe tools install)")
        sequential = sum(times.values())
        slowest_tool, slowest = max(times.items(), key=lambda item: item[1])
        print("secpipe scan, all at once:")
        scan = time_scan(root, Path(scratch) / "scan", list(times))
        print(f"  secpipe scan {scan:7.1f} s")
        print()
        print(f"sequential sum      {sequential:7.1f} s")
        print(f"slowest tool        {slowest:7.1f} s ({slowest_tool})")
        print(f"secpipe scan        {scan:7.1f} s")
        print(f"scan / sequential   {scan / sequential:7.2f}   (target <= 0.65)")
        print(f"scan / slowest tool {scan / slowest:7.2f}   (target <= 1.15)")


if __name__ == "__main__":
    main()
