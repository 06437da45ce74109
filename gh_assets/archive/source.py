"""What every copy of the archive offers (the HTTP archive, a folder, a bucket), and how it retries.

A source probes hourly files (exists, size, ETag, Last-Modified) and opens them as streams; both
implementations are picklable, so Dask workers carry them to their tasks.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar
from urllib.parse import urlparse

DEFAULT_SOURCE_URL = "https://data.gharchive.org"

log = logging.getLogger(__name__)
T = TypeVar("T")


class ArchiveError(RuntimeError):
    """The archive could not give a file after every retry."""


class InvalidSourceUrl(ValueError):
    """The archive's base URL is not one this pipeline can read."""


def validate_source_url(base_url: str) -> str:
    """Return the base URL without a trailing slash, or say why it cannot be used.

    A URL with credentials (`user:password@host`) is refused: it would be stored in every manifest
    row and shown in metadata and logs. A mirror that needs them takes them from the environment
    of its client (an S3 bucket from the AWS chain)."""
    parsed = urlparse(base_url)
    if parsed.username is not None or parsed.password is not None:
        raise InvalidSourceUrl(
            f"{without_credentials(base_url)}: the URL holds credentials, which would be stored "
            "in the manifest and shown in logs; give a URL without them"
        )
    if (parsed.scheme in ("http", "https", "s3") and parsed.netloc) or (
        parsed.scheme == "file" and parsed.path.strip("/")
    ):
        return base_url.rstrip("/")
    raise InvalidSourceUrl(
        f"{base_url!r} is not an http(s), file:// or s3:// URL; use the archive "
        "(https://data.gharchive.org), a mirror such as http://127.0.0.1:8000, a folder "
        "(file:///data/gharchive) or a bucket (s3://bucket/gharchive)"
    )


def without_credentials(text: str) -> str:
    """`text` with the `user:password@` of any URL in it left out."""
    return re.sub(r"(//)[^/@\s]+@", r"\1", text)


@dataclass(frozen=True)
class HourFile:
    """What a probe says of one hourly file."""

    filename: str
    url: str
    exists: bool
    status: int
    size: int | None = None
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a request is tried: doubling delays, capped."""

    max_attempts: int = 6
    backoff_seconds: float = 1.0
    max_backoff_seconds: float = 30.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number `attempt` (from 1)."""
        return min(self.max_backoff_seconds, self.backoff_seconds * 2 ** (attempt - 1))

    def call(
        self, what: str, attempt_once: Callable[[], T], transient: tuple[type[Exception], ...]
    ) -> T:
        """Call `attempt_once` until it succeeds, retrying `transient` failures with backoff."""
        for attempt in range(1, self.max_attempts + 1):
            try:
                return attempt_once()
            except transient as exc:
                cause = exc
            if attempt == self.max_attempts:
                break
            delay = self.delay(attempt)
            log.warning(
                "%s: %s (attempt %d of %d), retrying in %.1fs",
                what,
                cause,
                attempt,
                self.max_attempts,
                delay,
            )
            time.sleep(delay)
        raise ArchiveError(f"{what} failed after {self.max_attempts} attempts: {cause}")


DEFAULT_RETRY = RetryPolicy()
ONCE = RetryPolicy(max_attempts=1, backoff_seconds=0.0)


class ArchiveBody(Protocol):
    """An open hourly file: a binary stream that knows its URL, bytes read and resumptions."""

    url: str
    position: int
    retries: int

    def read(self, size: int = -1) -> bytes: ...

    def close(self) -> None: ...

    def __enter__(self) -> ArchiveBody: ...

    def __exit__(self, *exc_info) -> None: ...


class ArchiveSource(Protocol):
    """A copy of the archive: probes hourly files and opens them."""

    base_url: str
    retry: RetryPolicy
    skip_unreadable: bool

    def url(self, filename: str) -> str: ...

    def probe(self, filename: str) -> HourFile: ...

    def probe_day(self, day: dt.date) -> list[HourFile]: ...

    def open(self, filename: str) -> ArchiveBody | None:
        """The file as a stream, or None when the source does not have it."""
        ...

    def for_probes(self, max_attempts: int, timeout_seconds: float) -> ArchiveSource:
        """This source with a smaller budget per request (for checks that must end quickly)."""
        ...
