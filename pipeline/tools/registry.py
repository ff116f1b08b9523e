"""Registry of tool runners, filled by the `@register` decorator of each module in this package."""
from __future__ import annotations

import importlib
import pkgutil

from pipeline.errors import ConfigError
from pipeline.stages import Stage
from pipeline.tools.base import ToolRunner

_RUNNERS: dict[str, ToolRunner] = {}
# Modules of this package that are machinery, not runners.
_NOT_RUNNER_MODULES = {"base", "registry", "process", "locate", "outcome", "install", "command", "files"}
_loaded = False


def register(cls: type[ToolRunner]) -> type[ToolRunner]:
    if cls.name in _RUNNERS and type(_RUNNERS[cls.name]) is not cls:
        raise RuntimeError(f"two tool runners are named {cls.name!r}")
    _RUNNERS[cls.name] = cls()
    return cls


def _load_all() -> None:
    global _loaded
    if _loaded:
        return
    import pipeline.tools

    for module in pkgutil.iter_modules(pipeline.tools.__path__):
        if module.ispkg or module.name in _NOT_RUNNER_MODULES or module.name.startswith("_"):
            continue
        importlib.import_module(f"pipeline.tools.{module.name}")
    _loaded = True


_STAGE_ORDER = {stage: index for index, stage in enumerate(Stage)}


def runners() -> list[ToolRunner]:
    """Every runner, in stage order (sca, sast, iac, dast), then by name."""
    _load_all()
    return sorted(_RUNNERS.values(), key=lambda r: (_STAGE_ORDER[r.stage], r.name))


def names() -> list[str]:
    return [runner.name for runner in runners()]


def get(name: str) -> ToolRunner:
    _load_all()
    try:
        return _RUNNERS[name]
    except KeyError:
        raise ConfigError(f"unknown tool {name!r}; use one of: {', '.join(names())}") from None


def for_stage(stage: Stage) -> list[ToolRunner]:
    return [runner for runner in runners() if runner.stage == stage]
