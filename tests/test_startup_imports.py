"""Start-up stays light: building the parser (every `secpipe` command does, `--help` included)
imports neither boto3, botocore's model, jinja2, rich nor the parsers; an empty report is
parsed without loading the validator. Each check runs in a fresh interpreter, whose
sys.modules is what that start-up imported."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent

#: Modules whose import costs a large part of a start-up; they belong in the handlers.
HEAVY = ("boto3", "botocore.session", "botocore.client", "jinja2", "rich", "parsers.sarif",
         "pipeline.asff_validation", "pipeline.hub", "importlib.metadata", "smtplib")


def loaded_after(code: str) -> list[str]:
    """The HEAVY modules present in sys.modules after `code` ran in a new interpreter."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=PROJECT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_building_the_parser_imports_no_heavy_module() -> None:
    assert loaded_after("import pipeline.cli\npipeline.cli.build_parser()") == []


def test_help_of_every_subcommand_imports_no_heavy_module_except_the_parsers_it_names() -> None:
    code = ("import contextlib, io, pipeline.cli\n"
            "for command in ('scan', 'publish', 'findings', 'remediate', 'package', 'tools', 'hub', 'approval'):\n"
            "    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
            "        pipeline.cli.main([command, '--help'])")
    assert loaded_after(code) == []


def _empty_sarif_parse(tmp_path: Path, *options: str) -> str:
    """Code that parses an empty SARIF report through the CLI and checks it printed `[]`."""
    report = tmp_path / "empty.sarif"
    report.write_text('{"version": "2.1.0", "runs": []}')
    arguments = [*options, "parse", "--tool", "sarif", str(report)]
    return ("import contextlib, io, pipeline.cli\n"
            "out = io.StringIO()\n"
            "out.buffer = io.BytesIO()\n"
            "with contextlib.redirect_stdout(out):\n"
            f"    code = pipeline.cli.main({arguments!r})\n"
            "assert code == 0 and out.buffer.getvalue() == b'[]\\n', (code, out.buffer.getvalue())")


def test_an_empty_report_is_parsed_without_loading_the_validator(tmp_path: Path) -> None:
    assert loaded_after(_empty_sarif_parse(tmp_path)) == ["parsers.sarif"]


def _modules_after(code: str, prefixes: tuple[str, ...]) -> list[str]:
    """The modules under `prefixes` present in sys.modules after `code` ran in a new interpreter."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(m for m in sys.modules if m.startswith({prefixes!r}))))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=PROJECT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_parse_of_a_named_tool_imports_only_its_command_and_its_parser(tmp_path: Path) -> None:
    loaded = _modules_after(_empty_sarif_parse(tmp_path, "-q"), ("pipeline.commands.", "parsers."))
    assert [m for m in loaded if m.startswith("pipeline.commands.")] == ["pipeline.commands.parse"]
    parser_modules = {"parsers." + name.replace("-", "_") for name in ("bandit", "semgrep", "trivy", "zap",
                                                                         "dependency-check", "cfn-lint")}
    assert "parsers.sarif" in loaded and not parser_modules & set(loaded)


def test_building_the_parser_without_arguments_or_for_help_has_every_command() -> None:
    from pipeline import cli

    whole = cli.build_parser()
    for argv in (None, [], ["--help"], ["-v", "-h", "parse"], ["no-such-command"], ["--", "parse"]):
        assert _commands(cli.build_parser(argv)) == _commands(whole), argv
    assert _commands(cli.build_parser(["-v", "parse", "--tool", "sarif", "x"])) == ["parse"]
    assert len(_commands(whole)) > 5


def _commands(parser) -> list[str]:
    import argparse

    return sorted(name for action in parser._actions if isinstance(action, argparse._SubParsersAction)
                  for name in action.choices)


def test_a_parser_named_like_its_module_is_found_alone_and_unknown_names_still_fail() -> None:
    code = ("from parsers import registry\n"
            "from pipeline.registry import UnknownName\n"
            "assert registry.get('cfn-lint').name == 'cfn-lint' and registry.is_known('cfn-lint')\n"
            "import sys\n"
            "assert 'parsers.sarif' not in sys.modules\n"
            "assert not registry.is_known('base') and not registry.is_known('no-such-tool')\n"
            "try:\n"
            "    registry.get('_whitespace')\n"
            "except UnknownName as exc:\n"
            "    assert 'sarif' in str(exc)\n"
            "else:\n"
            "    raise AssertionError('a helper module is not a parser')")
    assert "parsers.cfn_lint" in _modules_after(code, ("parsers.",))


def test_parse_help_still_names_every_parser() -> None:
    from parsers import registry

    done = subprocess.run([sys.executable, "-m", "pipeline.cli", "parse", "--help"], cwd=PROJECT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    flat = " ".join(done.stdout.split())
    for name in registry.names():
        assert name in flat


@pytest.mark.parametrize("extra, role, records", [
    ([], "secpipe-remediation", Path("secpipe-out") / "remediation"),
    (["--role-name", "other", "--records", "/tmp/r"], "other", Path("/tmp/r")),
])
def test_remediate_defaults_are_read_when_its_arguments_are_parsed(extra: list[str], role: str, records: Path) -> None:
    from pipeline.cli import build_parser
    from pipeline.remediation.member import DEFAULT_ROLE_NAME
    from pipeline.remediation.records import DEFAULT_RECORDS_DIR

    args = build_parser().parse_args(["remediate", "run", "findings.json", *extra])
    assert (args.role_name, args.records) == (role, records)
    if not extra:
        assert (args.role_name, args.records) == (DEFAULT_ROLE_NAME, DEFAULT_RECORDS_DIR)


def test_version_is_printed_on_stdout() -> None:
    done = subprocess.run([sys.executable, "-m", "pipeline.cli", "--version"], cwd=PROJECT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.startswith("secpipe ") and done.stderr == ""


def test_a_publish_into_the_embedded_hub_loads_neither_boto3_nor_botocores_model_nor_jinja2(tmp_path: Path) -> None:
    """Its calls go straight to the hub (pipeline.hub.direct_client): boto3 is for a hub over HTTP,
    the model for routing HTTP and checking queries, jinja2 for the console's first page."""
    findings = tmp_path / "findings.json"
    findings.write_text("[]")
    arguments = ["publish", "--hub", "local", "--db", str(tmp_path / "hub.sqlite3"), str(findings)]
    code = ("import contextlib, io, pipeline.cli\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    assert pipeline.cli.main({arguments!r}) == 0\n")
    assert not {"boto3", "botocore.session", "botocore.client", "jinja2"} & set(loaded_after(code))
