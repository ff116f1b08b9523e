import pytest

from parsers import registry as parsers
from pipeline.errors import ConfigError
from pipeline.registry import UnknownName
from pipeline.stages import Stage
from pipeline.tools import registry
from pipeline.tools.base import ToolRunner

MINE = {"bandit": Stage.SAST, "semgrep": Stage.SAST, "checkov": Stage.IAC, "cfn-lint": Stage.IAC,
        "pip-audit": Stage.SCA, "npm-audit": Stage.SCA, "wapiti": Stage.DAST}


def test_runners_are_discovered_with_their_stage():
    found = {runner.name: runner.stage for runner in registry.runners()}
    for name, stage in MINE.items():
        assert found.get(name) == stage, name


def test_runners_come_in_stage_order():
    order = [list(Stage).index(runner.stage) for runner in registry.runners()]
    assert order == sorted(order)


def test_get_unknown_is_the_registry_lookup_error_listing_the_names():
    with pytest.raises(UnknownName, match="unknown tool 'nope'.*bandit") as raised:
        registry.get("nope")
    assert isinstance(raised.value, ConfigError)


def test_every_runner_names_a_registered_parser():
    known = set(parsers.names())
    missing = {runner.name: runner.parser for runner in registry.runners() if runner.parser not in known}
    assert not missing, f"runners whose parser is not registered: {missing}"


def test_two_runners_with_one_name_are_refused():
    class Clash(ToolRunner):
        name = "bandit"
        stage = Stage.SAST
        parser = "bandit"

        def missing(self):
            return None

        def applies(self, target):
            return False

        def run(self, target, raw_dir, timeout_s):
            raise AssertionError

    with pytest.raises(RuntimeError, match="two tools are named 'bandit'"):
        registry.register(Clash)
