"""Ingest: a raw report in S3 -> findings in Security Hub (the AWS-side twin of `secpipe publish`).

A CodeBuild stage uploads its report to S3 and the ingest Lambda gets only
the object's location (an explicit event, or S3's own event via EventBridge or
a bucket notification). See service.py for the steps and lambdas/ingest.py for
the handler.
"""
from pipeline.ingest.factory import open_ingestor
from pipeline.ingest.result import IngestResult
from pipeline.ingest.service import Ingestor
from pipeline.ingest.settings import IngestSettings

__all__ = ["IngestResult", "IngestSettings", "Ingestor", "open_ingestor"]
