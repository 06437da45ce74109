"""One hourly file in, Parquet parts of push events and commits out: the per-file Dask task.

The stream is decompressed in blocks and never held whole. Only lines that contain `"PushEvent"`
are parsed: every push has that exact token as its `type` value whatever the spacing or key order,
and an event that merely mentions it is parsed and then rejected by its type. Push lines are
gathered into batches of about 8 MB for Arrow's JSON reader (`arrow_pushes`); a batch it declines
is read line by line. Rows are written in row groups as they accumulate, so memory stays flat in
the file's size.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from dataclasses import dataclass
from typing import BinaryIO

import orjson
import pyarrow.parquet as pq

from gh_assets.archive.source import ArchiveError, ArchiveSource
from gh_assets.reading.arrow_pushes import read_push_lines
from gh_assets.reading.push_rows import PushTableBuilder
from gh_assets.reading.records import (
    NotGzipError,
    StreamDamage,
    count_records,
    line_blocks,
    lines_containing,
    recover_events,
)
from gh_assets.tables.catalogue import COMMITS, PUSH_EVENTS
from gh_assets.tables.storage import STAGED_PARQUET_OPTIONS, Storage

PUSH_MARKER = b'"PushEvent"'
ROWS_PER_ROW_GROUP = 50_000
PUSH_BYTES_PER_READ = 8 << 20

log = logging.getLogger(__name__)


@dataclass
class HourSummary:
    """The accounting of one file: nothing read is dropped without a count here."""

    source_file: str
    found: bool = True
    compressed_bytes: int = 0
    lines: int = 0
    push_lines: int = 0
    damaged_lines: int = 0
    objects_recovered: int = 0
    fragments_skipped: int = 0
    nul_runs: int = 0
    truncated: str | None = None
    unreadable: str | None = None
    push_events: int = 0
    commits: int = 0
    duplicates_dropped: int = 0
    read_retries: int = 0
    attempts: int = 1
    seconds: float = 0.0
    worker: str = ""

    @property
    def events(self) -> int:
        """Events read: whole lines, plus the objects recovered from damaged ones."""
        return self.lines - self.damaged_lines + self.objects_recovered

    @property
    def damaged(self) -> bool:
        return bool(self.truncated or self.unreadable or self.nul_runs or self.damaged_lines)

    @property
    def read(self) -> bool:
        """Whether the file's content was read (it exists and is gzip)."""
        return self.found and not self.unreadable


def transform_stream(
    compressed: BinaryIO,
    source_file: str,
    push_sink: BinaryIO,
    commits_sink: BinaryIO,
    arrow_reader: bool = True,
) -> HourSummary:
    """Read one gzip stream and write its push events and commits as Parquet to the two sinks.

    `arrow_reader=False` reads every batch line by line (the normative reading, for comparison).
    """
    started = time.perf_counter()
    summary = HourSummary(source_file)
    damage = StreamDamage()
    builder = PushTableBuilder(source_file)
    with (
        pq.ParquetWriter(push_sink, PUSH_EVENTS.schema, **STAGED_PARQUET_OPTIONS) as push_writer,
        pq.ParquetWriter(commits_sink, COMMITS.schema, **STAGED_PARQUET_OPTIONS) as commits_writer,
    ):

        def flush() -> None:
            pushes, commits = builder.take()
            push_writer.write_table(pushes)
            commits_writer.write_table(commits)

        def add(lines: list[bytes]) -> None:
            summary.push_lines += len(lines)
            read = read_push_lines(lines) if arrow_reader else None
            if read is not None:
                builder.add_read(read)
            else:
                _add_line_by_line(lines, builder, summary)
            if builder.pending_rows >= ROWS_PER_ROW_GROUP:
                flush()

        lines: list[bytes] = []
        size = 0
        for block in line_blocks(compressed, damage):
            summary.lines += count_records(block)
            found = list(lines_containing(block, PUSH_MARKER))
            lines += found
            size += sum(map(len, found))
            if size >= PUSH_BYTES_PER_READ:
                add(lines)
                lines, size = [], 0
        if lines:
            add(lines)
        flush()
    summary.nul_runs = damage.nul_runs
    summary.truncated = damage.truncated
    summary.push_events = builder.push_count
    summary.commits = builder.commit_count
    summary.duplicates_dropped = builder.duplicates
    summary.seconds = time.perf_counter() - started
    return summary


def _add_line_by_line(lines: list[bytes], builder: PushTableBuilder, summary: HourSummary) -> None:
    """The normative reading: each line parsed alone, damaged ones recovered and counted."""
    for line in lines:
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError:
            value = None
        if isinstance(value, dict):
            events = (value,)
        else:
            events, fragments = recover_events(line)
            summary.damaged_lines += 1
            summary.objects_recovered += len(events)
            summary.fragments_skipped += fragments
        for event in events:
            if event.get("type") == "PushEvent":
                builder.add(event)


def transform_hour(
    client: ArchiveSource, storage: Storage, filename: str, push_path: str, commits_path: str
) -> HourSummary:
    """Download one hour and write its parts; a body that is not gzip is fetched again.

    A file the archive does not have (404) gives a summary with `found=False`; a file that keeps
    failing raises `ArchiveError` naming the URL and the cause, or, when the client skips
    unreadable files, gives a summary whose `unreadable` says why.
    """
    retry = client.retry
    for attempt in range(1, retry.max_attempts + 1):
        body = client.open(filename)
        if body is None:
            return HourSummary(filename, found=False)
        try:
            with (
                body,
                storage.open_staged(push_path) as push_sink,
                storage.open_staged(commits_path) as commits_sink,
            ):
                summary = transform_stream(body, filename, push_sink, commits_sink)
        except NotGzipError as exc:
            cause = exc
            if attempt < retry.max_attempts:
                delay = retry.delay(attempt)
                log.warning("%s: %s, fetching again in %.1fs", body.url, exc, delay)
                time.sleep(delay)
            continue
        summary.compressed_bytes = body.position
        summary.read_retries = body.retries
        summary.attempts = attempt
        summary.worker = _worker_name()
        return summary
    failure = f"{client.url(filename)} was not gzip after {retry.max_attempts} attempts: {cause}"
    if client.skip_unreadable:
        log.warning("%s; skipped and counted", failure)
        return HourSummary(
            filename,
            unreadable=failure,
            attempts=retry.max_attempts,
            worker=_worker_name(),
        )
    raise ArchiveError(failure)


def _worker_name() -> str:
    """The process doing the work, as `host:pid`."""
    return f"{socket.gethostname()}:{os.getpid()}"
