from __future__ import annotations

import pytest

from pipeline.errors import ConfigError
from pipeline.sinks import registry
from pipeline.sinks.base import Scope
from pipeline.sinks.connection import HubOptions
from pipeline.sinks.null import NullSink
from pipeline.sinks.scopes import derive_scopes
from tests.sinks.builders import asff_findings


def test_scopes_come_from_product_fields_and_are_complete_only_when_told():
    findings = asff_findings(3) + asff_findings(2, tool="semgrep") + asff_findings(1, branch="dev")
    assert derive_scopes(findings, complete=False) == [
        Scope("demo", "dev", "bandit", False), Scope("demo", "main", "bandit", False),
        Scope("demo", "main", "semgrep", False)]
    assert all(s.complete for s in derive_scopes(findings, complete=True))


def test_scope_tool_names_a_scope_without_findings():
    findings = asff_findings(2)
    assert Scope("demo", "main", "checkov", True) in derive_scopes(findings, True, ["checkov"])
    assert derive_scopes([], True, ["checkov"], repo="r", branch="b") == [Scope("r", "b", "checkov", True)]


def test_scope_tool_with_several_branches_needs_an_explicit_branch():
    findings = asff_findings(1) + asff_findings(1, branch="dev")
    with pytest.raises(ConfigError, match="--branch"):
        derive_scopes(findings, True, ["checkov"])
    assert Scope("demo", "dev", "checkov", True) in derive_scopes(findings, True, ["checkov"], branch="dev")


def test_registry_names_and_errors():
    assert registry.names() == ["local", "securityhub", "none"]
    with pytest.raises(ConfigError, match="unknown hub"):
        registry.connect("nowhere", HubOptions())
    with pytest.raises(ConfigError, match="unknown hub"):
        registry.connect("none", HubOptions())
    with registry.open_sink("none", HubOptions()) as sink:
        assert isinstance(sink, NullSink)
        assert sink.publish(asff_findings(2), []).sent == 0
