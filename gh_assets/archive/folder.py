"""A copy of the archive in a local folder or an object store (`file://`, `s3://`), via fsspec.

It answers like the HTTP archive: a probe says whether an hourly file exists (status 200 or 404),
its size, ETag (a bucket's, or a local file's modification time and size) and modification time,
and a file is read as a stream. Retries are the object
store client's own (s3fs retries transient errors); a file that is not gzip stays so, so each file
is read once.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from functools import cached_property

from gh_assets.archive.names import day_filenames
from gh_assets.archive.source import ONCE, ArchiveError, HourFile, RetryPolicy
from gh_assets.tables.storage import Storage


@dataclass(frozen=True)
class FolderArchive:
    """The hourly files under `base_url`; an `ArchiveSource`."""

    base_url: str
    endpoint_url: str | None = None
    skip_unreadable: bool = False
    retry: RetryPolicy = ONCE

    @cached_property
    def _folder(self) -> Storage:
        """The folder as fsspec opens it (and drops when pickled), the way tables are stored."""
        return Storage(self.base_url, self.endpoint_url)

    def url(self, filename: str) -> str:
        return f"{self.base_url}/{filename}"

    def for_probes(self, max_attempts: int, timeout_seconds: float) -> FolderArchive:
        return self

    def probe(self, filename: str) -> HourFile:
        """The file's status; a folder that does not exist is an error, not a missing hour (a
        sensor would wait for it forever)."""
        file = self._probe(filename)
        if not file.exists:
            self._check_folder()
        return file

    def probe_day(self, day: dt.date) -> list[HourFile]:
        """The 24 files of a day; the folder is looked at once, whatever is missing (on S3 each
        look is a listing request)."""
        files = [self._probe(filename) for filename in day_filenames(day)]
        if not all(file.exists for file in files):
            self._check_folder()
        return files

    def _check_folder(self) -> None:
        if not self._folder.fs.isdir(self._folder.root):
            raise ArchiveError(f"{self.base_url}: no such folder")

    def _probe(self, filename: str) -> HourFile:
        fs, root = self._folder.fs, self._folder.root
        try:
            info = fs.info(f"{root}/{filename}")
        except FileNotFoundError:
            return HourFile(filename, self.url(filename), exists=False, status=404)
        modified = info.get("LastModified") or info.get("mtime")
        return HourFile(
            filename=filename,
            url=self.url(filename),
            exists=True,
            status=200,
            size=info.get("size"),
            etag=info.get("ETag") or _weak_etag(info),
            last_modified=_http_date(modified) if modified is not None else None,
        )

    def open(self, filename: str) -> FolderBody | None:
        """The file as a stream, or None when the folder does not have it."""
        fs, root = self._folder.fs, self._folder.root
        try:
            return FolderBody(fs.open(f"{root}/{filename}", "rb"), self.url(filename))
        except FileNotFoundError:
            return None


class FolderBody(io.RawIOBase):
    """An open file with what `transform_hour` reports of a body: its URL, bytes read, retries."""

    retries = 0

    def __init__(self, file, url: str):
        super().__init__()
        self._file = file
        self.url = url
        self.position = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self._file.read(size)
        self.position += len(data)
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._file.close()
        super().close()


def _weak_etag(info: dict) -> str | None:
    """A local file's identity as web servers give it (nginx: modification time and size, in
    hex), to the nanosecond where Last-Modified has whole seconds: a file written again shows as
    another version without reading it."""
    if "mtime" not in info:
        return None
    return f'W/"{int(info["mtime"] * 1e9):x}-{info["size"]:x}"'


def _http_date(modified: dt.datetime | float) -> str:
    """A modification time as HTTP's Last-Modified writes it."""
    if not isinstance(modified, dt.datetime):
        modified = dt.datetime.fromtimestamp(modified, dt.UTC)
    return modified.astimezone(dt.UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
