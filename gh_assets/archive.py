"""The GH Archive over HTTP: names, URLs, and reads that survive faults (copies in a folder or a
bucket are read by `archive_folder`).

The archive serves `YYYY-MM-DD-H.json.gz` (hour not zero-padded). A missing hour is a 404 with an
XML body; 5xx, 429, cut connections and stalls are transient and retried with backoff. A body read
is resumed where it broke off (a `Range` request, or a re-read that skips what was already seen), so
the decompressor above never notices a retry.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import TypeVar
from urllib.parse import urlparse

import requests

FIRST_DAY = dt.date(2011, 2, 12)
HOURS_PER_DAY = 24
RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
MISSING_STATUS = frozenset({403, 404})

log = logging.getLogger(__name__)
T = TypeVar("T")


class ArchiveError(RuntimeError):
    """The archive could not give a file after every retry."""


class InvalidSourceUrl(ValueError):
    """The archive's base URL is not one this pipeline can read."""


def hour_filename(day: dt.date, hour: int) -> str:
    """The archive's name for one hour: `2015-01-01-0.json.gz` (the hour is not zero-padded)."""
    return f"{day:%Y-%m-%d}-{hour}.json.gz"


def day_filenames(day: dt.date) -> list[str]:
    """The 24 hourly file names of a UTC day, hour 0 to 23."""
    return [hour_filename(day, hour) for hour in range(HOURS_PER_DAY)]


def validate_source_url(base_url: str) -> str:
    """Return the base URL without a trailing slash, or say why it cannot be used."""
    parsed = urlparse(base_url)
    if (parsed.scheme in ("http", "https", "s3") and parsed.netloc) or (
        parsed.scheme == "file" and parsed.path.strip("/")
    ):
        return base_url.rstrip("/")
    raise InvalidSourceUrl(
        f"GH_ASSETS_SOURCE_URL={base_url!r} is not an http(s), file:// or s3:// URL; use the "
        "archive (https://data.gharchive.org), a mirror such as http://127.0.0.1:8000, a folder "
        "(file:///data/gharchive) or a bucket (s3://bucket/gharchive)"
    )


@dataclass(frozen=True)
class HourFile:
    """What a HEAD request says of one hourly file."""

    filename: str
    url: str
    exists: bool
    status: int
    size: int | None = None
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class ArchiveClient:
    """Reads the archive at `base_url`; picklable, so Dask workers carry it to their tasks."""

    base_url: str
    timeout_seconds: float = 60.0
    max_attempts: int = 6
    backoff_seconds: float = 1.0
    max_backoff_seconds: float = 30.0
    skip_unreadable: bool = False
    _session: requests.Session = field(default_factory=requests.Session, compare=False, repr=False)

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_session")
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state, _session=requests.Session())

    def url(self, filename: str) -> str:
        return f"{self.base_url}/{filename}"

    def probe(self, filename: str) -> HourFile:
        """HEAD one file: whether it exists, its size, ETag and Last-Modified."""
        url = self.url(filename)
        response = self._retrying(url, lambda: self._request("HEAD", url))
        headers = response.headers
        exists = response.status_code == 200
        return HourFile(
            filename=filename,
            url=url,
            exists=exists,
            status=response.status_code,
            size=int(headers["Content-Length"]) if exists and "Content-Length" in headers else None,
            etag=headers.get("ETag"),
            last_modified=headers.get("Last-Modified"),
        )

    def for_probes(self, max_attempts: int, timeout_seconds: float) -> ArchiveClient:
        """This client with a smaller budget per request (for checks that must end quickly)."""
        return replace(
            self,
            max_attempts=min(self.max_attempts, max_attempts),
            timeout_seconds=min(self.timeout_seconds, timeout_seconds),
        )

    def probe_day(self, day: dt.date, concurrency: int = 8) -> list[HourFile]:
        """HEAD the 24 files of a day, in hour order."""
        with ThreadPoolExecutor(concurrency) as pool:
            return list(pool.map(self.probe, day_filenames(day)))

    def open(self, filename: str) -> ResumableBody | None:
        """A streaming body for one file, or None when the archive does not have it (404)."""
        body = ResumableBody(self, self.url(filename))
        return body if body.open() else None

    def backoff(self, attempt: int) -> float:
        return min(self.max_backoff_seconds, self.backoff_seconds * 2 ** (attempt - 1))

    def _request(self, method: str, url: str, headers: dict | None = None) -> requests.Response:
        response = self._session.request(
            method, url, headers=headers, stream=True, timeout=self.timeout_seconds
        )
        if response.status_code in RETRYABLE_STATUS:
            response.close()
            raise _Transient(f"HTTP {response.status_code}")
        if response.status_code not in MISSING_STATUS and response.status_code >= 400:
            response.close()
            raise ArchiveError(f"{method} {url} answered HTTP {response.status_code}")
        return response

    def _retrying(self, url: str, attempt_once: Callable[[], T]) -> T:
        """Call `attempt_once` until it succeeds, retrying transient faults with backoff."""
        for attempt in range(1, self.max_attempts + 1):
            try:
                return attempt_once()
            except (_Transient, requests.ConnectionError, requests.Timeout) as exc:
                cause = exc
            if attempt == self.max_attempts:
                break
            delay = self.backoff(attempt)
            log.warning(
                "%s: %s (attempt %d of %d), retrying in %.1fs",
                url,
                cause,
                attempt,
                self.max_attempts,
                delay,
            )
            time.sleep(delay)
        raise ArchiveError(f"{url} failed after {self.max_attempts} attempts: {cause}")


class _Transient(Exception):
    """A fault worth retrying: 5xx, 429, a cut connection, a stall."""


class ResumableBody(io.RawIOBase):
    """A file-like, read-only HTTP body that resumes after a broken connection or a stall.

    The response's Content-Length is the truth: a body that ends early is a network fault (resumed),
    while a complete body that is bad gzip is damage for the caller to report.
    """

    def __init__(self, client: ArchiveClient, url: str):
        super().__init__()
        self.client = client
        self.url = url
        self.position = 0
        self.length: int | None = None
        self.retries = 0
        self._etag: str | None = None
        self._raw = None

    def open(self) -> bool:
        response = self.client._retrying(self.url, lambda: self.client._request("GET", self.url))
        if response.status_code in MISSING_STATUS:
            response.close()
            return False
        self._attach(response)
        return True

    def _attach(self, response: requests.Response) -> None:
        self._raw = response.raw
        self._raw.decode_content = False
        if response.status_code == 200:
            length = response.headers.get("Content-Length")
            self.length = int(length) if length is not None else None
            self._etag = response.headers.get("ETag")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def read(self, size: int = -1) -> bytes:
        """Read up to `size` bytes, resuming transparently after transient faults."""
        for attempt in range(1, self.client.max_attempts + 1):
            try:
                data = self._raw.read(size if size >= 0 else None)
                if not data and self.length is not None and self.position < self.length:
                    raise _Transient(f"body ended at byte {self.position} of {self.length}")
                self.position += len(data)
                return data
            except Exception as exc:  # urllib3 raises several types for a broken or stalled body
                if isinstance(exc, ArchiveError):
                    raise
                cause = exc
            if attempt == self.client.max_attempts:
                break
            self.retries += 1
            delay = self.client.backoff(attempt)
            log.warning(
                "%s: read broke at byte %d (%s), resuming in %.1fs",
                self.url,
                self.position,
                cause,
                delay,
            )
            time.sleep(delay)
            try:
                self._resume()
            except (ArchiveError, _Transient, requests.RequestException) as exc:
                cause = exc
        raise ArchiveError(
            f"{self.url} could not be read past byte {self.position} after "
            f"{self.client.max_attempts} attempts: {cause}"
        )

    def _resume(self) -> None:
        """Ask for the rest of the body; skip what was already read if Range is not honoured."""
        self._release()
        headers = {"Range": f"bytes={self.position}-"}
        if self._etag:
            headers["If-Range"] = self._etag
        response = self.client._request("GET", self.url, headers=headers)
        if response.status_code in MISSING_STATUS:
            response.close()
            raise ArchiveError(f"{self.url} disappeared while it was being read")
        if response.status_code == 206:
            self._raw = response.raw
            self._raw.decode_content = False
            return
        self._attach(response)
        to_skip = self.position
        while to_skip:
            skipped = self._raw.read(min(to_skip, 1 << 20))
            if not skipped:
                raise _Transient("body ended while skipping to the resume point")
            to_skip -= len(skipped)

    def _release(self) -> None:
        if self._raw is not None:
            self._raw.close()
            self._raw = None

    def close(self) -> None:
        self._release()
        super().close()
