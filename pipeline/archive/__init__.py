"""Raw report archive: every tool's report kept as is, next to the findings made from it.

    archive = DirArchive(Path("out/reports"))           # or S3Archive(client, bucket, kms_key_id)
    archive.store(ReportRef(repo, branch, build_id, tool, "bandit.json"), data)
"""
from pipeline.archive.base import ArchiveRef, BuildFileRef, ReportArchive, ReportRef, StoredReport
from pipeline.archive.directory import DirArchive
from pipeline.archive.s3 import S3Archive

__all__ = ["ArchiveRef", "BuildFileRef", "DirArchive", "ReportArchive", "ReportRef", "S3Archive", "StoredReport"]
