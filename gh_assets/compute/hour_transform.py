"""One hourly file in, Parquet parts of its tables out: the per-file Dask task.

The stream is decompressed in blocks and never held whole, and read once for every table asked
for: push events and commits (`PushPart`), every event (`events_part.EventsPart`). For the push
tables only lines that contain `"PushEvent"` are parsed: every push has that exact token as its
`type` value whatever the spacing or key order, and an event that merely mentions it is parsed and
then rejected by its type. Push lines are
gathered into batches of about 8 MB for Arrow's JSON reader (`arrow_pushes`); a batch it declines
is read line by line. Rows are written in row groups as they accumulate, so memory stays flat in
the file's size, and in the day files' own format, so that the day's publish joins them undecoded.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from typing import BinaryIO

import orjson
import pyarrow.parquet as pq

from gh_assets.archive.source import ArchiveError, ArchiveSource
from gh_assets.compute.events_part import EventsPart
from gh_assets.reading.arrow_pushes import read_push_lines
from gh_assets.reading.event_rows import EventsRead
from gh_assets.reading.push_rows import PushTableBuilder
from gh_assets.reading.records import (
    LineBlock,
    NotGzipError,
    StreamDamage,
    count_blank_lines,
    count_records,
    line_blocks,
    lines_containing,
    recover_events,
)
from gh_assets.tables.catalogue import COMMITS, EVENTS, PUSH_EVENTS
from gh_assets.tables.storage import Storage

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
    blank_lines: int = 0
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
    events_read: EventsRead | None = None
    read_retries: int = 0
    attempts: int = 1
    seconds: float = 0.0
    worker: str = ""

    @property
    def events(self) -> int:
        """Events read: whole lines that are not blank, plus the objects recovered from damaged
        push lines."""
        return self.lines - self.blank_lines - self.damaged_lines + self.objects_recovered

    @property
    def stream_damaged(self) -> bool:
        """Damage of the file itself, whichever table read it: cut, unreadable, NUL runs."""
        return bool(self.truncated or self.unreadable or self.nul_runs)

    @property
    def damaged(self) -> bool:
        return self.stream_damaged or bool(self.damaged_lines)

    @property
    def read(self) -> bool:
        """Whether the file's content was read (it exists and is gzip)."""
        return self.found and not self.unreadable


class PushPart:
    """Writes the push events and commits of the blocks it is fed to two sinks, counting what
    it reads into the file's summary."""

    def __init__(
        self, summary: HourSummary, push_sink: BinaryIO, commits_sink: BinaryIO, arrow_reader: bool
    ):
        self.summary = summary
        self.builder = PushTableBuilder(summary.source_file)
        self.arrow_reader = arrow_reader
        self.push_writer = pq.ParquetWriter(
            push_sink, PUSH_EVENTS.schema, **PUSH_EVENTS.parquet_options
        )
        self.commits_writer = pq.ParquetWriter(
            commits_sink, COMMITS.schema, **COMMITS.parquet_options
        )
        self.lines: list[bytes] = []
        self.size = 0

    def feed(self, block: LineBlock) -> None:
        found = list(lines_containing(block, PUSH_MARKER))
        if not found and not block.data.endswith(b"\n", block.start, block.end):
            found = [bytes(block)]  # the file's last line, likely cut: read, so damage counts
        self.lines += found
        self.size += sum(map(len, found))
        if self.size >= PUSH_BYTES_PER_READ:
            self._add()

    def _add(self) -> None:
        self.summary.push_lines += len(self.lines)
        read = read_push_lines(self.lines) if self.arrow_reader else None
        if read is not None:
            self.builder.add_read(read)
        else:
            _add_line_by_line(self.lines, self.builder, self.summary)
        self.lines, self.size = [], 0
        if self.builder.pending_rows >= ROWS_PER_ROW_GROUP:
            self._flush()

    def _flush(self) -> None:
        writers = (self.push_writer, self.commits_writer)
        for writer, rows in zip(writers, self.builder.take(), strict=True):
            if rows.num_rows:  # pyarrow would write an empty table as an empty row group
                writer.write_table(rows)

    def discard(self) -> None:
        """Close the writers after a failed reading: its parts are written again by a retry,
        and a writer left open would close itself later, on a closed file."""
        self.push_writer.close()
        self.commits_writer.close()

    def close(self) -> None:
        if self.lines:
            self._add()
        self._flush()
        self.push_writer.close()
        self.commits_writer.close()
        summary = self.summary
        summary.push_events = self.builder.push_count
        summary.commits = self.builder.commit_count
        summary.duplicates_dropped = self.builder.duplicates


def transform_stream(
    compressed: BinaryIO,
    source_file: str,
    sinks: Mapping[str, BinaryIO],
    arrow_reader: bool = True,
    fast_events: bool = True,
) -> HourSummary:
    """Read one gzip stream once and write the parts of the tables in `sinks` (name -> sink).

    `push_events` and `commits` are extracted together (both sinks or neither), `events` on its
    own; a table not asked for costs nothing. `arrow_reader=False` and `fast_events=False` read
    every batch line by line (the normative readings, for comparison).
    """
    started = time.perf_counter()
    summary = HourSummary(source_file)
    damage = StreamDamage()
    pushes = events = None
    if PUSH_EVENTS.name in sinks:
        pushes = PushPart(summary, sinks[PUSH_EVENTS.name], sinks[COMMITS.name], arrow_reader)
    if EVENTS.name in sinks:
        events = EventsPart(source_file, sinks[EVENTS.name], fast_events)
    try:
        for block in line_blocks(compressed, damage):
            summary.lines += count_records(block) if events is None else events.feed(block)
            summary.blank_lines += count_blank_lines(block)
            if pushes is not None:
                pushes.feed(block)
    except BaseException:
        for part in (pushes, events):
            if part is not None:
                part.discard()
        raise
    if pushes is not None:
        pushes.close()
    if events is not None:
        summary.events_read = events.close()
    summary.nul_runs = damage.nul_runs
    summary.truncated = damage.truncated
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
    client: ArchiveSource, storage: Storage, filename: str, parts: Mapping[str, str]
) -> HourSummary:
    """Download one hour and write the parts of its tables (name -> staged path); a body that
    is not gzip is fetched again.

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
            with body, ExitStack() as stack:
                sinks = {
                    table: stack.enter_context(storage.open_staged(path))
                    for table, path in parts.items()
                }
                summary = transform_stream(body, filename, sinks)
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
