"""The archive as a Dagster resource."""

from typing import Literal

import dagster as dg
from pydantic import Field

from gh_assets.archive import ArchiveClient, validate_source_url

DEFAULT_SOURCE_URL = "https://data.gharchive.org"
UNREADABLE_POLICIES = ("fail", "skip")


class ArchiveResource(dg.ConfigurableResource):
    """The GH Archive, or a mirror of it, over HTTP."""

    base_url: str = Field(
        default=DEFAULT_SOURCE_URL,
        description="Base URL of the hourly files (GH_ASSETS_SOURCE_URL).",
    )
    timeout_seconds: float = Field(default=60.0, description="Connect and read timeout.")
    max_attempts: int = Field(default=6, ge=1, description="Tries per request before failing.")
    backoff_seconds: float = Field(default=1.0, ge=0, description="First retry delay (doubles).")
    unreadable_files: Literal["fail", "skip"] = Field(
        default="fail",
        description=(
            "A file still not gzip after every attempt: fail its day, or skip it, counted in "
            "`unreadable_files` and failing the all_published_hours_read check "
            "(GH_ASSETS_UNREADABLE_FILES)."
        ),
    )

    def client(self) -> ArchiveClient:
        return ArchiveClient(
            base_url=validate_source_url(self.base_url),
            timeout_seconds=self.timeout_seconds,
            max_attempts=self.max_attempts,
            backoff_seconds=self.backoff_seconds,
            skip_unreadable=self.unreadable_files == "skip",
        )
