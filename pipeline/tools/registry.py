"""The tool runners: one `Registry`, filled by the `@register` decorator of each module in this package."""
from __future__ import annotations

from pipeline.registry import Registry
from pipeline.stages import Stage
from pipeline.tools.base import ToolRunner

# Modules of this package that are machinery, not runners.
_NOT_RUNNER_MODULES = {"base", "registry", "process", "locate", "outcome", "install", "command", "files",
                       "schedule"}
RUNNERS: Registry[ToolRunner] = Registry("tool", package="pipeline.tools", skip_modules=_NOT_RUNNER_MODULES)
_STAGE_ORDER = {stage: index for index, stage in enumerate(Stage)}


def register(cls: type[ToolRunner]) -> type[ToolRunner]:
    return RUNNERS.register(cls)


def runners() -> list[ToolRunner]:
    """Every runner, in stage order (sca, sast, iac, dast), then by name."""
    return sorted(RUNNERS.all(), key=lambda r: (_STAGE_ORDER[r.stage], r.name))


def names() -> list[str]:
    return [runner.name for runner in runners()]


def get(name: str) -> ToolRunner:
    """The runner named `name`; UnknownName (a ConfigError, exit 2) naming the known tools otherwise."""
    return RUNNERS.get(name)
