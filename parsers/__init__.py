"""The scanner report parsers, one module per tool (see parsers/README.md)."""
from pipeline.native import prefer_fresh_sources

# `import parsers.sarif` finds its module before the parser imports anything of `pipeline`.
prefer_fresh_sources()
