"""One file's `events` part: line blocks in, Parquet row groups out, a batch of lines at a time."""

from __future__ import annotations

from typing import BinaryIO

import pyarrow.parquet as pq

from gh_assets.reading.event_rows import EventsRead
from gh_assets.reading.events_table import EventsTableBuilder, valid_utf8
from gh_assets.reading.records import LineBlock, block_lines
from gh_assets.tables.catalogue import EVENTS

EVENT_BYTES_PER_READ = 8 << 20


class EventsPart:
    """Writes the events of the blocks it is fed to `sink`; `close` gives the accounting."""

    def __init__(self, source_file: str, sink: BinaryIO, fast: bool = True):
        self.builder = EventsTableBuilder(source_file, fast)
        self.writer = pq.ParquetWriter(sink, EVENTS.schema, **EVENTS.parquet_options)
        self.lines: list[memoryview] = []
        self.size = 0
        self.valid_utf8 = True

    def feed(self, block: LineBlock) -> int:
        """Take a block's lines; returns their number (`records.count_records`, same scan)."""
        lines = block_lines(block)
        self.lines += lines
        data, start, end = block
        self.size += end - start
        self.valid_utf8 = self.valid_utf8 and valid_utf8(memoryview(data)[start:end])
        if self.size >= EVENT_BYTES_PER_READ:
            self._write()
        return len(lines)

    def _write(self) -> None:
        rows = self.builder.table(self.lines, self.valid_utf8)
        if rows.num_rows:  # pyarrow would write an empty table as an empty row group
            self.writer.write_table(rows)
        self.lines, self.size, self.valid_utf8 = [], 0, True

    def discard(self) -> None:
        """Close the writer after a failed reading (see `PushPart.discard`)."""
        self.writer.close()

    def close(self) -> EventsRead:
        if self.lines:
            self._write()
        self.writer.close()
        return self.builder.read
