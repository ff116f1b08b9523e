"""cfn-nag runner with a fake cfn_nag_scan that inspects the template it is given."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.asff import to_asff
from pipeline.finding import Severity
from pipeline.tools import cfn_nag
from pipeline.tools.base import ScanTarget, ToolStatus
from pipeline.tools.cfn_lint import cloudformation_templates
from tests.conftest import assert_valid_asff
from tests.tools.fakes import empty_path, fake_bin, install_fake, recorded_call  # noqa: F401 - fixtures

# Reacts to what is in the template, like cfn-nag's rules do; exit code = failure count (as cfn_nag_scan).
FAKE = r"""
args = sys.argv[1:]
path = args[args.index("--input-path") + 1]
assert args[args.index("--output-format") + 1] == "json"
calls = os.environ["FAKE_RECORD"] + ".calls"
open(calls, "a").write(path + "\n")
text = open(path).read()
lines = text.splitlines()
def line_of(word):
    return next(i + 1 for i, l in enumerate(lines) if word in l)
violations = []
if "INVALID" in text:
    violations.append({"id": "FATAL", "type": "FAIL", "message": "Illegal cfn - no Resources",
                       "logical_resource_ids": [], "line_numbers": [], "element_types": []})
else:
    if "AWS::S3::Bucket" in text and "BucketEncryption" not in text:
        violations.append({"id": "W41", "type": "WARN", "message": "S3 Bucket should have encryption option set",
                           "logical_resource_ids": ["UploadsBucket"], "line_numbers": [line_of("UploadsBucket:")],
                           "element_types": ["resource"], "name": "S3BucketEncryptionSetRule"})
    if "0.0.0.0/0" in text:
        violations.append({"id": "W2", "type": "WARN",
                           "message": "Security Groups found with cidr open to world on ingress.  This should never be true on instance.  Permissible on ELB",
                           "logical_resource_ids": ["WebSg"], "line_numbers": [line_of("WebSg:")],
                           "element_types": ["resource"], "name": "SecurityGroupIngressOpenToWorldRule"})
    if "Action: '*'" in text:
        violations.append({"id": "F4", "type": "FAIL", "message": "IAM policy should not allow * action",
                           "logical_resource_ids": ["AppRole"], "line_numbers": [line_of("AppRole:")],
                           "element_types": ["resource"], "name": "IamPolicyWildcardActionRule"})
failures = sum(1 for v in violations if v["type"] == "FAIL")
print(json.dumps([{"filename": path, "file_results": {"failure_count": failures, "violations": violations}}], indent=2))
sys.exit(failures)
"""

NETWORK = """AWSTemplateFormatVersion: '2010-09-09'
Resources:
  UploadsBucket:
    Type: AWS::S3::Bucket
  WebSg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: 0.0.0.0/0
"""
SAM_ROLE = """Transform: AWS::Serverless-2016-10-31
Resources:
  AppRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {}
      Policies:
        - PolicyName: all
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: '*'
                Resource: '*'
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "infra-app"
    (root / "cloudformation").mkdir(parents=True)
    (root / "cloudformation" / "network.yaml").write_text(NETWORK)
    (root / "sam").mkdir()
    (root / "sam" / "template.yml").write_text(SAM_ROLE)
    # not templates: a CI config and an npm manifest
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / ".github" / "workflows" / "ci.yml").write_text("on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n")
    (root / "package.json").write_text('{"name": "app", "version": "1.0.0"}')
    return root


def run(project: Path, tmp_path: Path):
    target = ScanTarget(project, env={"FAKE_RECORD": str(tmp_path / "call.json")})
    return cfn_nag.CfnNagRunner().run(target, tmp_path / "raw", timeout_s=60)


def test_template_detection(project):
    found = [p.relative_to(project).as_posix() for p in cloudformation_templates(project)]
    assert found == ["cloudformation/network.yaml", "sam/template.yml"]


def test_every_template_scanned_and_each_violation_per_resource(fake_bin, project, tmp_path, context):
    install_fake(fake_bin, "cfn_nag_scan", FAKE)
    result = run(project, tmp_path)
    assert result.status is ToolStatus.FINDINGS, result.detail
    calls = (tmp_path / "call.json.calls").read_text().split()
    assert calls == ["./cloudformation/network.yaml", "./sam/template.yml"]
    assert recorded_call(tmp_path / "call.json")["cwd"] == str(project.resolve())
    found = sorted((f.rule_id, f.iac_location.template, f.iac_location.logical_id, f.iac_location.line)
                   for f in result.findings)
    assert found == [("F4", "sam/template.yml", "AppRole", 3),
                     ("W2", "cloudformation/network.yaml", "WebSg", 5),
                     ("W41", "cloudformation/network.yaml", "UploadsBucket", 3)]
    assert {f.rule_id: f.severity for f in result.findings}["F4"] is Severity.HIGH
    assert result.report_path == tmp_path / "raw" / "cfn-nag.json"
    assert_valid_asff([to_asff(f, context) for f in result.findings])


def test_clean_templates_pass(fake_bin, tmp_path):
    install_fake(fake_bin, "cfn_nag_scan", FAKE)
    root = tmp_path / "clean"
    root.mkdir()
    (root / "bucket.json").write_text('{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"B": '
                                      '{"Type": "AWS::SNS::Topic"}}}')
    result = run(root, tmp_path)
    assert result.status is ToolStatus.PASSED and result.findings == []


def test_unparsable_template_makes_the_run_incomplete(fake_bin, project, tmp_path):
    install_fake(fake_bin, "cfn_nag_scan", FAKE)
    (project / "cloudformation" / "broken.yaml").write_text("AWSTemplateFormatVersion: '2010-09-09'\nINVALID: [\n")
    result = run(project, tmp_path)
    assert result.status is ToolStatus.INCOMPLETE
    assert result.detail == "cfn-nag could not parse 1 template(s): ./cloudformation/broken.yaml"
    assert len(result.findings) == 4  # the FATAL is shown too, beside what was checked


def test_non_json_output_is_an_error(fake_bin, project, tmp_path):
    install_fake(fake_bin, "cfn_nag_scan", 'print("/usr/lib/ruby: cannot load such file -- cfn-nag (LoadError)", '
                                           'file=sys.stderr)\nsys.exit(1)')
    result = run(project, tmp_path)
    assert result.status is ToolStatus.ERROR
    assert result.detail == ("no JSON for ./cloudformation/network.yaml (exit 1): "
                             "/usr/lib/ruby: cannot load such file -- cfn-nag (LoadError)")


def test_not_installed(empty_path, project, tmp_path):
    runner = cfn_nag.CfnNagRunner()
    assert runner.applies(ScanTarget(project))
    result = runner.run(ScanTarget(project), tmp_path / "raw", timeout_s=10)
    assert result.status is ToolStatus.NOT_INSTALLED
    assert result.detail == "cfn-nag is not installed (runs in CodeBuild: gem install cfn-nag)"
