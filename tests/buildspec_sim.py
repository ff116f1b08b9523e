"""A container-less CodeBuild for the buildspecs: their phases run in bash as CodeBuild
runs them (one shell per run, a failing command fails the run), with `/opt` and `/tmp`
moved under a temporary root and fakes on PATH for everything that would reach the
network or the image:

- `aws s3 cp` copies from a folder that stands for the artifact bucket;
- `curl` "downloads" real archives (zip, tar.gz) holding the layout the real release
  has (dependency-check/bin/dependency-check.sh, sonar-scanner-*/bin/sonar-scanner,
  ZAP_*/zap.sh), and answers ZAP's API once the fake daemon runs;
- `gpg`, `composer` and `gem` behave like the real ones where a buildspec can go wrong
  (composer refuses a --working-dir that does not exist; gpg --verify needs both files);
- `python -m pip install FILE` checks FILE is a wheel; `secpipe` records its argv, parses
  it with the real CLI parser and, for `tools install`, asks each non-pip scanner's real
  runner whether it is present on this PATH.

Real unzip, tar, sha256sum, mktemp, openssl, nohup and timeout do the rest, so a missing
folder, a wrong checksum or a PATH that misses a scanner fails here as it would there.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import stat
import subprocess
import sys
import tarfile
import textwrap
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.aws_files import load_buildspec
from tests.conftest import PROJECT

BUCKET = "secpipe-artifacts"
PACKAGE_PREFIX = "packages/0.1.0-0123456789abcdef"
WHEEL = "secpipe-0.1.0-py3-none-any.whl"
ZAP_API_URL = "http://127.0.0.1:8090"
# Real programs the buildspecs call that need no fake.
_SYSTEM_PATH = "/usr/bin:/bin"
_ROOTED = re.compile(r"(?<![\w.])/(opt|tmp)(?=/|\b)")


def fake_wheel() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("pipeline/__init__.py", "")
        archive.writestr("secpipe-0.1.0.dist-info/METADATA", "Name: secpipe\nVersion: 0.1.0\n")
    return buffer.getvalue()


def _zip(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = (0o100755 if text.startswith("#!") else 0o100644) << 16
            archive.writestr(info, text)
    return buffer.getvalue()


def _tar_gz(members: dict[str, str]) -> bytes:
    """Same members, same bytes (gzip and tar times fixed), so a test can pin the checksum."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as compressed:
        with tarfile.open(fileobj=compressed, mode="w", format=tarfile.PAX_FORMAT) as archive:
            for name, text in members.items():
                data = text.encode()
                info = tarfile.TarInfo(name)
                info.size, info.mtime = len(data), 0
                info.mode = 0o755 if text.startswith("#!") else 0o644
                archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _zap_daemon(marker: Path) -> str:
    # Started with nohup ... &: records that ZAP runs, and with which API key.
    return textwrap.dedent(f"""\
        #!/bin/bash
        for argument in "$@"; do
          case "$argument" in api.key=*) printf '%s' "${{argument#api.key=}}" > "{marker}";; esac
        done
        """)


_TOOL = "#!/bin/sh\necho fake $0\n"
# URL pattern -> the archive the fake curl writes for that release version, shaped like the real one.
_RELEASES: tuple[tuple[str, Callable[[str, Path], bytes]], ...] = (
    (r"/dependency-check-([\d.]+)-release\.zip$",
     lambda version, marker: _zip({"dependency-check/bin/dependency-check.sh": _TOOL, "dependency-check/lib/dc.jar": "jar"})),
    (r"/sonar-scanner-cli-([\d.]+)-linux-x64\.zip$",
     lambda version, marker: _zip({f"sonar-scanner-{version}-linux-x64/bin/sonar-scanner": _TOOL})),
    (r"/ZAP_([\d.]+)_Linux\.tar\.gz$",
     lambda version, marker: _tar_gz({f"ZAP_{version}/zap.sh": _zap_daemon(marker)})),
    (r"()\.asc$", lambda version, marker: b"-----BEGIN PGP SIGNATURE-----\nfake\n-----END PGP SIGNATURE-----\n"),
)


def download_for(url: str, marker: Path) -> bytes | None:
    """What the fake curl writes for `url` (None: a 404)."""
    for pattern, build in _RELEASES:
        found = re.search(pattern, url)
        if found:
            return build(found.group(1), marker)
    return None


_FAKES = {
    "aws": '''
import shutil, sys
from pathlib import Path
args = [a for a in sys.argv[1:] if a != "--only-show-errors"]
if args[:2] != ["s3", "cp"] or len(args) != 4 or not args[2].startswith("s3://"):
    sys.exit(f"fake aws: unexpected {sys.argv[1:]}")
bucket, key = args[2][len("s3://"):].split("/", 1)
source = Path(BUCKET_ROOT) / bucket / key
if not source.is_file():
    sys.exit(f"fatal error: An error occurred (404) when calling the HeadObject operation: Key {key!r} does not exist")
target = Path(args[3])
target.parent.mkdir(parents=True, exist_ok=True)  # aws s3 cp makes the local folders
shutil.copyfile(source, target)
''',
    "curl": '''
import sys
from pathlib import Path
sys.path.insert(0, PROJECT)
from tests.buildspec_sim import download_for
args = sys.argv[1:]
output = args[args.index("--output") + 1] if "--output" in args else None
url = [a for a in args if a.startswith(("http://", "https://"))][-1]
if url.startswith(ZAP_API_URL):
    key = [args[i + 1] for i, a in enumerate(args) if a == "-H" and "X-ZAP-API-Key" in args[i + 1]]
    marker = Path(MARKER)
    sys.exit(0 if marker.is_file() and key and key[0].split(": ", 1)[1] == marker.read_text() else 7)
data = download_for(url, Path(MARKER))
if data is None:
    sys.exit(f"curl: (22) The requested URL returned error: 404 ({url})")
if output is None or output == "/dev/null":
    sys.exit(0)
target = Path(output)
if not target.parent.is_dir():
    sys.exit(f"curl: (23) Failure writing output to destination ({output})")
target.write_bytes(data)
''',
    "gpg": '''
import sys
from pathlib import Path
args = sys.argv[1:]
if "--recv-keys" in args:
    sys.exit(0)
if "--verify" in args:
    files = args[args.index("--verify") + 1:]
    missing = [f for f in files if not Path(f).is_file()]
    sys.exit(f"gpg: can't open {missing[0]}" if missing or len(files) != 2 else 0)
sys.exit(f"fake gpg: unexpected {args}")
''',
    "composer": '''
import sys
from pathlib import Path
args = sys.argv[1:]
directory = next((a.split("=", 1)[1] for a in args if a.startswith("--working-dir=")), ".")
if not Path(directory).is_dir():
    sys.exit(f"Invalid working directory specified, {directory} does not exist.")
if args[0] != "require":
    sys.exit(f"fake composer: unexpected {args}")
program = Path(directory) / "vendor" / "bin" / "phpstan"
program.parent.mkdir(parents=True, exist_ok=True)
program.write_text("#!/bin/sh\\necho phpstan\\n")
program.chmod(0o755)
(Path(directory) / "composer.json").write_text("{}")
''',
    "gem": '''
import sys
from pathlib import Path
args = sys.argv[1:]
if args[:2] != ["install", "cfn-nag"] or "--version" not in args:
    sys.exit(f"fake gem: unexpected {args}")
program = Path(RUNTIME_BIN) / "cfn_nag_scan"
program.write_text("#!/bin/sh\\necho cfn_nag\\n")
program.chmod(0o755)
''',
    "python": '''
import sys, zipfile
from pathlib import Path
args = sys.argv[1:]
if args[:3] != ["-m", "pip", "install"]:
    sys.exit(f"fake python: unexpected {args}")
wheel = Path(args[-1])
if not wheel.is_file() or not zipfile.is_zipfile(wheel) or not any(
        n.endswith(".dist-info/METADATA") for n in zipfile.ZipFile(wheel).namelist()):
    sys.exit(f"ERROR: {wheel} is not a wheel file")
''',
    "secpipe": '''
import json, os, sys
from pathlib import Path
sys.path.insert(0, PROJECT)
with open(CALLS, "a", encoding="utf-8") as calls:
    calls.write(json.dumps(sys.argv[1:]) + "\\n")
from pipeline.cli import build_parser
args = build_parser().parse_args(sys.argv[1:])  # exits 2 on a line the real CLI refuses
if sys.argv[1:3] == ["tools", "install"]:
    from pipeline.tools import registry
    from pipeline.tools.install import load_lock
    pinned = load_lock()
    absent = []
    for name in args.tool:
        if name in pinned:
            continue  # secpipe installs it into its own env
        if name == "zap":
            if not Path(MARKER).is_file():
                absent.append("zap (no daemon)")
        elif registry.get(name).missing() is not None:
            absent.append(name)
    sys.exit(f"absent here: {', '.join(absent)}" if absent else 0)
if sys.argv[1:2] == ["scan"]:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").write_text(json.dumps({"gate": {"passed": True}}))
    (out / "junit.xml").write_text("<testsuites/>")
''',
}


@dataclass
class Simulation:
    root: Path
    environment: dict[str, str] = field(default_factory=dict)

    @property
    def calls_file(self) -> Path:
        return self.root / "secpipe-calls.jsonl"

    @property
    def bucket(self) -> Path:
        return self.root / "s3" / BUCKET

    @property
    def source(self) -> Path:
        return self.root / "codebuild" / "src"

    def calls(self) -> list[list[str]]:
        if not self.calls_file.is_file():
            return []
        return [json.loads(line) for line in self.calls_file.read_text().splitlines()]

    def rooted(self, text: str) -> str:
        """A command or value with /opt and /tmp moved under the simulation's root."""
        return _ROOTED.sub(lambda match: f"{self.root}/{match.group(1)}", text)

    def run(self, buildspec: dict[str, Any] | str, phases: tuple[str, ...] = ("install", "build", "post_build"),
            extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        spec = load_buildspec(buildspec) if isinstance(buildspec, str) else buildspec
        script = "\n".join(self.rooted(line) for phase, line in _phase_commands(spec) if phase in phases)
        variables = {name: self.rooted(str(value)) for name, value in ((spec.get("env") or {}).get("variables") or {}).items()}
        env = {**variables, **self.environment, **(extra_env or {})}
        return subprocess.run(["bash", "-e", "-c", script], cwd=self.source, env=env, capture_output=True, text=True,
                              timeout=120)


def _phase_commands(spec: dict[str, Any]) -> list[tuple[str, str]]:
    """Each command whole (a multi-line block stays one command), in run order."""
    found = []
    for phase in ("install", "pre_build", "build", "post_build"):
        for command in ((spec.get("phases") or {}).get(phase) or {}).get("commands", []):
            found.append((phase, str(command)))
    return found


def make_simulation(tmp_path: Path) -> Simulation:
    simulation = Simulation(root=tmp_path)
    for folder in ("opt", "tmp", "bin", "runtime-bin", "tools-envs", "codebuild/src"):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
    marker = tmp_path / "zap-daemon.key"
    constants = {"PROJECT": str(PROJECT), "BUCKET_ROOT": str(tmp_path / "s3"), "MARKER": str(marker),
                 "CALLS": str(simulation.calls_file), "RUNTIME_BIN": str(tmp_path / "runtime-bin"),
                 "ZAP_API_URL": ZAP_API_URL}
    header = "".join(f"{name} = {value!r}\n" for name, value in constants.items())
    for name, body in _FAKES.items():
        program = tmp_path / "bin" / name
        program.write_text(f"#!{sys.executable}\n{header}{body}", encoding="utf-8")
        program.chmod(program.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    # What the image's runtime-versions put on PATH that a buildspec calls by name.
    npm = tmp_path / "runtime-bin" / "npm"
    npm.write_text("#!/bin/sh\necho 10.0.0\n")
    npm.chmod(0o755)
    package = simulation.bucket / PACKAGE_PREFIX
    (package / "buildspecs").mkdir(parents=True)
    wheel = fake_wheel()
    (package / WHEEL).write_bytes(wheel)
    (package / "buildspecs" / "archive-reports.sh").write_bytes((PROJECT / "buildspecs" / "archive-reports.sh").read_bytes())
    simulation.environment = {
        "PATH": f"{tmp_path / 'bin'}:{tmp_path / 'runtime-bin'}:{_SYSTEM_PATH}",
        "HOME": str(tmp_path / "home"), "TMPDIR": str(tmp_path / "tmp"),
        "SECPIPE_TOOLS_DIR": str(tmp_path / "tools-envs"),
        # What the CodeBuild project sets (pipeline.yaml).
        "ARTIFACT_BUCKET": BUCKET, "SECPIPE_PACKAGE_PREFIX": PACKAGE_PREFIX, "SECPIPE_WHEEL": WHEEL,
        "SECPIPE_WHEEL_SHA256": hashlib.sha256(wheel).hexdigest(),
        "ZAP_API_URL": ZAP_API_URL, "DAST_TARGET_URL": "https://staging.example.com/",
        "APPROVAL_TOPIC_ARN": "arn:aws:sns:eu-west-1:123456789012:secpipe-approval",
        "CODEBUILD_BUILD_ID": "secpipe-sca:0f1e2d3c", "ARTIFACT_KEY_ARN": "arn:aws:kms:eu-west-1:123456789012:key/k",
        "SECPIPE_REPO": "acme/shop", "SECPIPE_BRANCH": "feature/login", "SECPIPE_COMMIT": "0123456789abcdef",
    }
    return simulation
