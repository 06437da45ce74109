"""Where tables live: a local folder or an object store, through fsspec, with one layout for both.

Layout, readable as Hive-partitioned datasets: `<root>/<table>/date=YYYY-MM-DD/data.parquet`, as
the catalogue declares each table's day file.
One file per table and day makes replacing a day atomic for readers: a local file is renamed into
place, an object-store object appears when its upload completes. Work in progress lives under
`<root>/_staging/`, which readers never look at.
"""

from __future__ import annotations

import datetime as dt
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import cached_property
from typing import BinaryIO

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq
from fsspec.implementations.local import LocalFileSystem

from gh_assets.tables.catalogue import BY_NAME, DAY_FILE

ABANDONED_AFTER_SECONDS = 3600  # no day file takes an hour to write
STAGING = "_staging"
# Of the small tables written whole (a manifest, repo_activity, api_commits); the tables read from
# the archive are written with their own `Table.parquet_options`
PARQUET_OPTIONS = {"compression": "zstd", "compression_level": 3}


class StorageError(RuntimeError):
    """The storage URL cannot be opened or written."""


def validate_storage_url(url: str) -> None:
    """Fail unless fsspec has a filesystem for the URL's protocol (no connection is made)."""
    protocol = url.split("://", 1)[0] if "://" in url else "file"
    try:
        fsspec.get_filesystem_class(protocol)
    except (ImportError, ValueError) as exc:
        raise ValueError(
            f"{url!r} cannot be opened ({exc}); use a folder or s3://bucket/prefix"
        ) from None


@dataclass(frozen=True)
class Storage:
    """A table root: a local path or an `s3://bucket/prefix` URL (picklable, for Dask workers).

    Credentials are never held here: s3fs finds them in the standard AWS chain on each machine.
    """

    url: str
    endpoint_url: str | None = None

    @cached_property
    def _fs_and_root(self) -> tuple[fsspec.AbstractFileSystem, str]:
        options = {}
        if self.endpoint_url and self.url.startswith(("s3://", "s3a://")):
            options["client_kwargs"] = {"endpoint_url": self.endpoint_url}
        try:
            fs, root = fsspec.core.url_to_fs(self.url, **options)
        except (ImportError, ValueError) as exc:
            raise StorageError(f"{self.url!r} cannot be opened: {exc}") from exc
        return fs, root.rstrip("/")

    def __getstate__(self) -> dict:
        return {"url": self.url, "endpoint_url": self.endpoint_url}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)

    @cached_property
    def _cleared_folders(self) -> set[str]:
        """Local folders whose abandoned temporaries were cleared through this object: once a
        folder is enough (the GitHub answer cache writes many files into one folder)."""
        return set()

    @property
    def fs(self) -> fsspec.AbstractFileSystem:
        return self._fs_and_root[0]

    @property
    def root(self) -> str:
        return self._fs_and_root[1]

    @property
    def is_local(self) -> bool:
        return isinstance(self.fs, LocalFileSystem)

    def uri(self, path: str) -> str:
        """A path as a user would type it: `s3://...` for object stores, plain for local folders."""
        return path if self.is_local else self.fs.unstrip_protocol(path)

    def day_dir(self, table: str, day: dt.date) -> str:
        """The folder of a catalogue table's day, by the table's name."""
        return f"{self.root}/{BY_NAME[table].day_dir(day)}"

    def day_file(self, table: str, day: dt.date) -> str:
        """The file of a catalogue table's day, by the table's name."""
        return f"{self.root}/{BY_NAME[table].day_file(day)}"

    def stored_days(self, table: str) -> set[dt.date]:
        """The days whose file of a catalogue table is in storage: one listing of the table's
        folder (an object store answers it in a request per thousand days)."""
        folder = f"{self.root}/{table}"
        found = set()
        paths = self.fs.find(folder) if self.fs.exists(folder) else []
        self.fs.invalidate_cache()  # s3fs would answer later reads of its days from this listing
        for path in paths:
            day_dir, _, name = path.rpartition("/")
            if name == DAY_FILE and "/date=" in day_dir:
                with suppress(ValueError):
                    found.add(dt.date.fromisoformat(day_dir.rpartition("/date=")[2]))
        return found

    def staging_root(self, run_token: str) -> str:
        return f"{self.root}/{STAGING}/{run_token}"

    def staging_dir(self, run_token: str, day: dt.date) -> str:
        return f"{self.staging_root(run_token)}/date={day.isoformat()}"

    def staged_part(self, staging_dir: str, table: str, filename: str) -> str:
        """Where one archive file's part of a table is staged."""
        return f"{staging_dir}/{table}/{filename.removesuffix('.json.gz')}.parquet"

    def staging_tokens(self) -> list[str]:
        """The run tokens that have staged work (a run killed outright leaves its own behind)."""
        folder = f"{self.root}/{STAGING}"
        if not self.fs.exists(folder):
            return []
        entries = self.fs.ls(folder, detail=True, refresh=True)
        return [
            entry["name"].rsplit("/", 1)[-1] for entry in entries if entry["type"] == "directory"
        ]

    def check_writable(self) -> None:
        """Write and remove a marker, so that a wrong bucket or key fails before any work."""
        marker = f"{self.root}/{STAGING}/.write-check-{uuid.uuid4().hex}"
        try:
            self.make_parent(marker)
            self.fs.pipe_file(marker, b"ok")
            self.fs.rm_file(marker)
        except Exception as exc:
            raise StorageError(
                f"cannot write to {self.url!r}: {type(exc).__name__}: {exc}"
            ) from exc

    def make_parent(self, path: str) -> None:
        """Create a local file's folder; object stores have none (s3fs would create a bucket)."""
        if self.is_local:
            os.makedirs(os.path.dirname(path), exist_ok=True)

    @contextmanager
    def open_staged(self, path: str) -> Iterator[BinaryIO]:
        """A file for work in progress: not visible to readers, overwritten by a retry."""
        self.make_parent(path)
        with self.fs.open(path, "wb") as file:
            yield file

    @contextmanager
    def open_atomic(self, path: str) -> Iterator[BinaryIO]:
        """A file that appears whole at `path` when the block ends, or not at all on error."""
        if self.is_local:
            self.make_parent(path)
            folder = os.path.dirname(path)
            if folder not in self._cleared_folders:
                _remove_abandoned_temporaries(folder)
                self._cleared_folders.add(folder)
            temporary = os.path.join(folder, f"_{uuid.uuid4().hex}.inprogress")
            try:
                with open(temporary, "wb") as file:
                    yield file
                os.replace(temporary, path)
            finally:
                if os.path.exists(temporary):
                    os.remove(temporary)
            return
        file = self.fs.open(path, "wb", autocommit=False)
        try:
            yield file
        except BaseException:
            file.discard()
            file.closed = True  # else its finalizer tries to flush the discarded buffer
            raise
        file.close()
        file.commit()

    def write_table(self, path: str, table: pa.Table) -> int:
        """Write a small table atomically; return the bytes written."""
        with self.open_atomic(path) as file:
            pq.write_table(table, file, **PARQUET_OPTIONS)
        return self.fs.size(path)

    def row_count(self, path: str) -> int:
        """The rows of a Parquet file of this storage, from its footer."""
        with self.fs.open(path, "rb") as file:
            return pq.ParquetFile(file).metadata.num_rows

    def read_table(
        self, path: str, columns: list[str] | None = None, dictionaries: list[str] | None = None
    ) -> pa.Table:
        """A Parquet file of this storage, the columns `dictionaries` read as dictionary arrays
        (`pq.read_table` would import pandas: see arrays.py)."""
        with self.fs.open(path, "rb") as file:
            return pq.ParquetFile(file, read_dictionary=dictionaries).read(columns=columns)

    def remove_tree(self, path: str) -> None:
        if self.fs.exists(path):
            self.fs.rm(path, recursive=True)


def _remove_abandoned_temporaries(folder: str) -> None:
    """Remove temporaries that a writer killed outright left, once they are an hour old.

    Other writers of the folder (threads, processes) may finish or remove a temporary between
    the listing and its look or removal: one gone by then is no longer there to remove.
    """
    cutoff = time.time() - ABANDONED_AFTER_SECONDS
    for entry in os.scandir(folder):
        if entry.name.endswith(".inprogress"):
            with suppress(FileNotFoundError):
                if entry.stat().st_mtime < cutoff:
                    os.remove(entry.path)


def write_probe(storage: Storage, path: str, token: str) -> None:
    """Run on a worker: leave `token` at `path`, to show which folder that worker writes to."""
    storage.make_parent(path)
    storage.fs.pipe_file(path, token.encode())
