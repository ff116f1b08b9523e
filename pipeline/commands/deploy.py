"""`secpipe deploy --stack-name NAME [--parameters k=v ...] [--dry-run]`: upload the package
made by `secpipe package` and create or update the pipeline stack through change sets."""
from __future__ import annotations

import argparse
from pathlib import Path

DEFAULT_PACKAGE = Path("secpipe-package")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("deploy", help="upload the package and deploy the pipeline stack through change sets")
    parser.add_argument("--stack-name", required=True, help="the pipeline's CloudFormation stack")
    parser.add_argument("--parameters", nargs="*", default=[], metavar="KEY=VALUE",
                        help="template parameters (the package's own are set from manifest.json)")
    parser.add_argument("--dry-run", action="store_true",
                        help="show the change set and delete it; only the template it needs is uploaded")
    parser.add_argument("--package", type=Path, default=DEFAULT_PACKAGE,
                        help=f"folder written by secpipe package --out (default: ./{DEFAULT_PACKAGE})")
    parser.add_argument("--template", type=Path, default=None,
                        help="template to deploy (default: cloudformation/pipeline.yaml of this checkout)")
    parser.add_argument("--region", help="AWS region (default: AWS_REGION or the profile's)")
    parser.add_argument("--profile", help="AWS profile")
    parser.add_argument("--endpoint-url", help="one endpoint for CloudFormation and S3 (tests: a moto server)")
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    # Here, not at the top: boto3 is a third of a second, and every `secpipe` command builds this parser.
    from pipeline.aws import AwsSettings, make_client, make_session
    from pipeline.deploy.service import Clients, DeployRequest, deploy, parse_parameters
    from pipeline.packaging.source import default_root

    settings = AwsSettings(region=args.region, profile=args.profile, endpoint_url=args.endpoint_url)
    session = make_session(settings)
    clients = Clients(cloudformation=make_client(session, "cloudformation", endpoint_url=args.endpoint_url),
                      s3=make_client(session, "s3", endpoint_url=args.endpoint_url), region=session.region_name,
                      s3_endpoint=args.endpoint_url)
    request = DeployRequest(stack=args.stack_name,
                            template=args.template or default_root() / "cloudformation" / "pipeline.yaml",
                            package=args.package, parameters=parse_parameters(args.parameters), dry_run=args.dry_run)
    return deploy(request, clients, say=lambda line: print(line, flush=True))
