"""Fetching the archive: its file names, and the sources that give its hourly files."""

from gh_assets.archive.folder import FolderArchive
from gh_assets.archive.http import TIMEOUT_SECONDS, HttpArchive
from gh_assets.archive.source import (
    DEFAULT_RETRY,
    ArchiveSource,
    RetryPolicy,
    validate_source_url,
)


def archive_source(
    base_url: str,
    *,
    s3_endpoint_url: str | None = None,
    timeout_seconds: float = TIMEOUT_SECONDS,
    retry: RetryPolicy = DEFAULT_RETRY,
    skip_unreadable: bool = False,
) -> ArchiveSource:
    """The source for a URL: the HTTP archive or a mirror, or a copy in a folder or bucket."""
    base_url = validate_source_url(base_url)
    if base_url.startswith(("http://", "https://")):
        return HttpArchive(base_url, timeout_seconds, retry, skip_unreadable)
    return FolderArchive(base_url, s3_endpoint_url, skip_unreadable)
