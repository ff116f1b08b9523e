"""`secpipe package --out DIR`: the wheel, the Lambda zip and the buildspecs the AWS
pipeline runs, reproducibly, with manifest.json (their sha256 digests)."""
from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("package", help="build the wheel, Lambda zip and buildspecs that secpipe deploy uploads")
    parser.add_argument("--out", type=Path, required=True, help="folder to write (empty, or a previous package)")
    parser.add_argument("--source", type=Path, default=None,
                        help="secpipe source checkout to build (default: the one this secpipe runs from)")
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from pipeline.packaging.build import build_package  # wheel and zip tooling: only for this command
    from pipeline.packaging.source import default_root

    manifest = build_package(args.source or default_root(), args.out)
    for artifact in manifest.artifacts:
        print(f"{artifact.sha256}  {args.out / artifact.path}")
    print(f"package {manifest.name} {manifest.version} for {manifest.python}: upload prefix {manifest.prefix}")
    return 0
