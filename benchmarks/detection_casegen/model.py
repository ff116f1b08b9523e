"""One labelled case, and how a class's cases are made from sources, flows and sinks.

A taint class's true cases send request data (a *source*) through a *flow*
(variables, string building, containers, a helper) into a *sink*; its false
cases send it through a flow that breaks the taint (overwritten by a constant,
a branch that never runs, the safe element of a mixed collection) or through a
class-specific sanitiser. Classes that are about a call or a setting rather
than data flow (weak hash, XXE parser options, cookie flags...) list their true
and false snippets directly.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import cycle, islice

#: At least this many true and this many false cases per class and language (issue 11).
PER_LABEL = 10


@dataclass(frozen=True)
class Case:
    language: str
    klass: str
    cwe: int
    vulnerable: bool
    variant: str      # a short slug saying what the case exercises
    code: str


@dataclass(frozen=True)
class Source:
    """Where request data comes from: the code around the handler and the expression to read."""
    name: str
    header: str       # module-level code before the handler (imports, app)
    opening: str      # the handler's first line(s), up to the body
    expression: str
    closing: str = ""  # what ends the handler (JS: "});")


@dataclass(frozen=True)
class Flow:
    """How the source's value reaches the sink: body lines (SRC = the source) and the value expression."""
    name: str
    lines: tuple[str, ...]
    value: str
    module: str = ""  # module-level helper code the flow needs


@dataclass(frozen=True)
class Sink:
    """Lines that use VALUE, plus the module-level setup they need."""
    name: str
    lines: tuple[str, ...]
    setup: str = ""


@dataclass(frozen=True)
class TaintClass:
    klass: str
    cwe: int
    sinks: tuple[Sink, ...]
    # Class-specific safe handling: flows whose value is sanitised (they may use their own sink lines).
    sanitised: tuple[Flow, ...] = ()
    sources: tuple[Source, ...] | None = None  # default: the language's sources
    # Default: the language's true flows. NoSQL query objects are only injectable while the value can still
    # be an object or array, so string-building flows make no true case there.
    flows: tuple[Flow, ...] | None = None


@dataclass(frozen=True)
class SnippetClass:
    """A class judged by a call or a setting: complete body snippets, each with its setup."""
    klass: str
    cwe: int
    true: tuple[tuple[str, str], ...]   # (variant, code)
    false: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Language:
    name: str
    suffix: str
    indent: str
    sources: tuple[Source, ...]
    true_flows: tuple[Flow, ...]
    false_flows: tuple[Flow, ...]
    render: Renderer
    taint_classes: tuple[TaintClass, ...] = field(default=())
    snippet_classes: tuple[SnippetClass, ...] = field(default=())


class Renderer:
    """Puts header, module code, handler, body and closing together for one language."""

    def __init__(self, prologue: str = "", epilogue: str = "") -> None:
        self.prologue = prologue
        self.epilogue = epilogue

    def handler(self, language: Language, source: Source, flow: Flow, sink_lines: tuple[str, ...], setup: str) -> str:
        body_lines = [line.replace("SRC", source.expression) for line in flow.lines]
        value = flow.value.replace("SRC", source.expression)
        body_lines += [line.replace("VALUE", value).replace("SRC", source.expression) for line in sink_lines]
        body = "\n".join(language.indent + line for line in body_lines)
        parts = [self.prologue, source.header, setup, flow.module, source.opening, body, source.closing, self.epilogue]
        return "\n\n".join(part.strip("\n") for part in parts if part) + "\n"


def taint_cases(language: Language, spec: TaintClass) -> list[Case]:
    """PER_LABEL+ true cases (sources x flows x sinks, each flow at least once) and false cases
    (each breaking flow with two sinks, plus every class-specific sanitiser)."""
    sources = spec.sources or language.sources
    cases = []
    flows = spec.flows or language.true_flows
    count = max(PER_LABEL + 2, len(flows))
    combos = zip(islice(cycle(sources), count), islice(cycle(flows), count),
                 islice(cycle(spec.sinks), count), strict=True)
    for n, (source, flow, sink) in enumerate(combos):
        cases.append(Case(language.name, spec.klass, spec.cwe, True, f"{n:02d}-{source.name}-{flow.name}-{sink.name}",
                          language.render.handler(language, source, flow, sink.lines, sink.setup)))
    falses = [(flow, sink) for flow in language.false_flows for sink in spec.sinks[:2]]
    for n, (flow, sink) in enumerate(falses):
        source = sources[n % len(sources)]
        cases.append(Case(language.name, spec.klass, spec.cwe, False, f"{n:02d}-{source.name}-{flow.name}-{sink.name}",
                          language.render.handler(language, source, flow, sink.lines, sink.setup)))
    setup = spec.sinks[0].setup
    for n, flow in enumerate(spec.sanitised, start=len(falses)):
        source = sources[n % len(sources)]
        cases.append(Case(language.name, spec.klass, spec.cwe, False, f"{n:02d}-{source.name}-sanitised-{flow.name}",
                          language.render.handler(language, source, flow, (), setup)))
    return cases


def snippet_cases(language: Language, spec: SnippetClass) -> list[Case]:
    render = language.render
    cases = [Case(language.name, spec.klass, spec.cwe, True, f"{n:02d}-{variant}", _whole(render, code))
             for n, (variant, code) in enumerate(spec.true)]
    cases += [Case(language.name, spec.klass, spec.cwe, False, f"{n:02d}-{variant}", _whole(render, code))
              for n, (variant, code) in enumerate(spec.false)]
    return cases


def _whole(render: Renderer, code: str) -> str:
    return "\n\n".join(part.strip("\n") for part in (render.prologue, code, render.epilogue) if part) + "\n"


def all_cases(language: Language) -> list[Case]:
    cases = []
    for spec in language.taint_classes:
        cases += taint_cases(language, spec)
    for spec in language.snippet_classes:
        cases += snippet_cases(language, spec)
    return cases
