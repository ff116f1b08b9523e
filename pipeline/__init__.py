"""secpipe: security and compliance scanning for AWS."""
from pipeline.native import prefer_fresh_sources

# Before any other module of the project is imported: a compiled copy older than its source is never used.
prefer_fresh_sources()
