"""What can stop a deployment, each as one line at the CLI."""
from __future__ import annotations

from pipeline.errors import SecpipeError


class DeployError(SecpipeError):
    """CloudFormation refused or rolled back the change (not a usage error)."""

    exit_code = 1
