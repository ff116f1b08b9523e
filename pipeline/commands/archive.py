"""`secpipe archive upload OUT_DIR --bucket B ...`: a scan's output folder into the S3 report archive.

The CodeBuild stages call it from buildspecs/archive-reports.sh, so the keys are
pipeline.archive's (one definition of the layout):
raw reports under their tool's folder, the build's own files beside them
(pipeline/archive/build_outputs.py), each object SSE-KMS encrypted with the key given.
"""
from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    archive = sub.add_parser("archive", help="the report archive")
    actions = archive.add_subparsers(dest="action", required=True, parser_class=type(archive))
    upload = actions.add_parser("upload", help="upload a scan's output folder to the S3 report archive")
    upload.add_argument("out_dir", type=Path, help="the folder `secpipe scan --out` wrote")
    upload.add_argument("--bucket", required=True, help="S3 bucket of the archive")
    upload.add_argument("--kms-key-id", help="KMS key for SSE-KMS (default: the bucket's default encryption)")
    upload.add_argument("--repo", required=True, help="repository name")
    upload.add_argument("--branch", required=True, help="branch")
    upload.add_argument("--build-id", required=True, help="build id (CodeBuild's CODEBUILD_BUILD_ID)")
    upload.add_argument("--region", help="AWS region (default: AWS_REGION or the profile's)")
    upload.add_argument("--endpoint-url", help="S3 endpoint (only for a local emulator)")
    upload.set_defaults(handler=run_upload)


def run_upload(args: argparse.Namespace) -> int:
    from pipeline.archive import ReportRef, S3Archive
    from pipeline.archive.build_outputs import BuildScope, output_files
    from pipeline.aws import AwsSettings, make_client, make_session
    from pipeline.tools import registry

    tools = {runner.name: runner.parser for runner in registry.runners()}
    files = output_files(args.out_dir, BuildScope(args.repo, args.branch, args.build_id), tools)
    client = make_client(make_session(AwsSettings(region=args.region)), "s3", endpoint_url=args.endpoint_url)
    archive = S3Archive(client, args.bucket, args.kms_key_id)
    for output in files:
        stored = archive.store(output.ref, output.path.read_bytes())
        print(f"archived {output.path} -> {stored.location}")
    reports = sum(isinstance(output.ref, ReportRef) for output in files)
    print(f"secpipe: archived {len(files)} file(s), {reports} of them tool reports, to s3://{args.bucket}")
    return 0
