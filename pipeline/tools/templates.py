"""Which files of a source tree are CloudFormation (or SAM) templates.

Shared by the IaC runners so that cfn-nag and cfn-lint look at the same files.
A template is a .yaml/.yml/.json/.template file that names
AWSTemplateFormatVersion, or whose Resources use AWS resource types
(`AWS::S3::Bucket`, `AWS::Serverless::Function`); other YAML and JSON
(CI configs, package.json) is left alone, since the tools would report it as
unparsable templates.
"""
from __future__ import annotations

import re
from pathlib import Path

from pipeline.tools.files import SKIPPED_DIRS, iter_files, read_head

TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
# Build output of the CDK and SAM: generated copies of templates, not the project's own.
TEMPLATE_SKIPPED_DIRS = SKIPPED_DIRS | {"cdk.out", ".aws-sam"}
_RESOURCE_TYPE = re.compile(r"""["']?Type["']?\s*:\s*["']?(AWS|Alexa|Custom)::[A-Za-z0-9]+""")
_RESOURCES_KEY = re.compile(r"""^\s*["']?Resources["']?\s*:""", re.MULTILINE)


def is_cloudformation_template(path: Path) -> bool:
    if not path.name.lower().endswith(TEMPLATE_SUFFIXES):
        return False
    head = read_head(path)
    if "AWSTemplateFormatVersion" in head:
        return True
    return bool(_RESOURCES_KEY.search(head) and _RESOURCE_TYPE.search(head))


def find_cloudformation_templates(root: Path) -> list[Path]:
    """The templates under root (or root itself), in a stable order."""
    return list(iter_files(root, is_cloudformation_template, skip_dirs=TEMPLATE_SKIPPED_DIRS))
