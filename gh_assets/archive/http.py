"""The GH Archive over HTTP, read so that faults do not matter.

The archive serves `YYYY-MM-DD-H.json.gz` (hour not zero-padded). A missing hour is a 404 with an
XML body; 5xx, 429, cut connections and stalls are transient and retried with backoff. A body read
is resumed where it broke off (a `Range` request, or a re-read that skips what was already seen), so
the decompressor above never notices a retry; a file replaced meanwhile (another ETag) fails the
read rather than splicing two versions.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import requests

from gh_assets.archive.names import day_filenames
from gh_assets.archive.source import DEFAULT_RETRY, ArchiveError, HourFile, RetryPolicy

RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
MISSING_STATUS = frozenset({403, 404})
TIMEOUT_SECONDS = 60.0  # connect and read

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HttpArchive:
    """The archive (or a mirror) at `base_url`, over HTTP; an `ArchiveSource`."""

    base_url: str
    timeout_seconds: float = TIMEOUT_SECONDS
    retry: RetryPolicy = DEFAULT_RETRY
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
        response = self.retry.call(url, lambda: self.request("HEAD", url), TRANSIENT)
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

    def for_probes(self, max_attempts: int, timeout_seconds: float) -> HttpArchive:
        """This source with a smaller budget per request (for checks that must end quickly)."""
        return replace(
            self,
            retry=replace(self.retry, max_attempts=min(self.retry.max_attempts, max_attempts)),
            timeout_seconds=min(self.timeout_seconds, timeout_seconds),
        )

    def probe_day(self, day: dt.date, concurrency: int = 8) -> list[HourFile]:
        """HEAD the 24 files of a day, in hour order."""
        with ThreadPoolExecutor(concurrency) as pool:
            return list(pool.map(self.probe, day_filenames(day)))

    def open(self, filename: str) -> ResumableBody | None:
        """A streaming body for one file, or None when the archive does not have it (404)."""
        url = self.url(filename)
        response = self.retry.call(url, lambda: self.request("GET", url), TRANSIENT)
        if response.status_code in MISSING_STATUS:
            response.close()
            return None
        return ResumableBody(self, url, response)

    def request(self, method: str, url: str, headers: dict | None = None) -> requests.Response:
        """One streaming request: 5xx and 429 raise `TransientError`, other errors `ArchiveError`;
        a 404 (or 403, which S3 gives for a missing key) is returned for the caller to read."""
        response = self._session.request(
            method, url, headers=headers, stream=True, timeout=self.timeout_seconds
        )
        if response.status_code in RETRYABLE_STATUS:
            response.close()
            raise TransientError(f"HTTP {response.status_code}")
        if response.status_code not in MISSING_STATUS and response.status_code >= 400:
            response.close()
            raise ArchiveError(f"{method} {url} answered HTTP {response.status_code}")
        return response


class TransientError(Exception):
    """A fault worth retrying: 5xx, 429, a cut connection, a stall."""


TRANSIENT = (TransientError, requests.ConnectionError, requests.Timeout)


class ResumableBody(io.RawIOBase):
    """A file-like, read-only HTTP body that resumes after a broken connection or a stall.

    The response's Content-Length is the truth: a body that ends early is a network fault (resumed),
    while a complete body that is bad gzip is damage for the caller to report.
    """

    def __init__(self, archive: HttpArchive, url: str, response: requests.Response):
        super().__init__()
        self.archive = archive
        self.url = url
        self.position = 0
        self.retries = 0
        self._raw = response.raw
        self._raw.decode_content = False
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
        """Read up to `size` bytes, resuming transparently after transient faults.

        A broken read is retried by asking for the rest (`_resume`), first thing in the next
        attempt, so a resume that fails too is retried as a resume and keeps its own cause; an
        `ArchiveError` (the file is gone or changed, a 4xx) is final at once.
        """
        retry = self.archive.retry
        for attempt in range(1, retry.max_attempts + 1):
            try:
                if self._raw is None:
                    self._resume()
                data = self._raw.read(size if size >= 0 else None)
                if not data and self.length is not None and self.position < self.length:
                    raise TransientError(f"body ended at byte {self.position} of {self.length}")
                self.position += len(data)
                return data
            except ArchiveError:
                raise
            except Exception as exc:  # urllib3 raises several types for a broken or stalled body
                cause = exc
            self._release()
            if attempt == retry.max_attempts:
                break
            self.retries += 1
            delay = retry.delay(attempt)
            log.warning(
                "%s: read broke at byte %d (%s), resuming in %.1fs",
                self.url,
                self.position,
                cause,
                delay,
            )
            time.sleep(delay)
        raise ArchiveError(
            f"{self.url} could not be read past byte {self.position} after "
            f"{retry.max_attempts} attempts: {cause}"
        )

    def _resume(self) -> None:
        """Ask for the rest of the body; skip what was already read if Range is not honoured.

        The new body is attached only once it stands at `position`; a server that answers the
        conditional `If-Range` with a whole body of another version means the file changed
        while it was read, which no resumption can mend.
        """
        headers = {"Range": f"bytes={self.position}-"}
        if self._etag:
            headers["If-Range"] = self._etag
        response = self.archive.request("GET", self.url, headers=headers)
        raw = response.raw
        raw.decode_content = False
        try:
            if response.status_code in MISSING_STATUS:
                raise ArchiveError(f"{self.url} disappeared while it was being read")
            if response.status_code != 206:
                self._check_same_file(response)
                _skip(raw, self.position)
        except BaseException:
            response.close()
            raise
        self._raw = raw

    def _check_same_file(self, response: requests.Response) -> None:
        """Fail unless a whole body sent again is the version being read (ETag, length)."""
        etag = response.headers.get("ETag")
        length = response.headers.get("Content-Length")
        if (self._etag and etag and etag != self._etag) or (
            self.length is not None and length is not None and int(length) != self.length
        ):
            raise ArchiveError(
                f"{self.url} changed while it was being read (ETag {self._etag} became {etag}): "
                "read it again from the start"
            )

    def _release(self) -> None:
        if self._raw is not None:
            self._raw.close()
            self._raw = None

    def close(self) -> None:
        self._release()
        super().close()


def _skip(raw, count: int) -> None:
    """Read and drop the first `count` bytes of a body."""
    while count:
        skipped = raw.read(min(count, 1 << 20))
        if not skipped:
            raise TransientError("body ended while skipping to the resume point")
        count -= len(skipped)
