"""The archive as a Dagster resource."""

import dagster as dg
from pydantic import Field

from gh_assets.archive import archive_source
from gh_assets.archive.http import TIMEOUT_SECONDS
from gh_assets.archive.source import DEFAULT_RETRY, ArchiveSource, RetryPolicy
from gh_assets.settings import UnreadablePolicy, setting_field, variable

WHAT_TO_DO = (
    "The archive could not be read after every retry. Try again later (it may be down or "
    f"limiting requests), check this machine's network, or set {variable('source_url')} to a "
    "mirror or a copy of the archive (a folder or a bucket). A file that stays unreadable can "
    f"instead be skipped and counted with {variable('unreadable_files')}=skip."
)


class ArchiveResource(dg.ConfigurableResource):
    """The GH Archive, or a copy of it: an HTTP mirror, a folder, or a bucket."""

    base_url: str = setting_field("source_url")
    s3_endpoint_url: str | None = setting_field("s3_endpoint_url")
    timeout_seconds: float = Field(default=TIMEOUT_SECONDS, description="Connect and read timeout.")
    max_attempts: int = Field(
        default=DEFAULT_RETRY.max_attempts, ge=1, description="Tries per request before failing."
    )
    backoff_seconds: float = Field(
        default=DEFAULT_RETRY.backoff_seconds, ge=0, description="First retry delay (doubles)."
    )
    unreadable_files: UnreadablePolicy = setting_field("unreadable_files")

    def failure(self, error: Exception) -> dg.Failure:
        """The step's failure when the archive could not give what it needs: what happened, then
        what to do about it, without the stack of the retries."""
        return dg.Failure(
            description=f"{error}\n\n{WHAT_TO_DO}",
            metadata={"source_url": self.base_url, "what_to_do": WHAT_TO_DO},
        )

    def client(self) -> ArchiveSource:
        return archive_source(
            self.base_url,
            s3_endpoint_url=self.s3_endpoint_url,
            timeout_seconds=self.timeout_seconds,
            retry=RetryPolicy(max_attempts=self.max_attempts, backoff_seconds=self.backoff_seconds),
            skip_unreadable=self.unreadable_files == "skip",
        )
