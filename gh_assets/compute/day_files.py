"""A table's day file made from its hourly parts: their row groups copied, or decoded and encoded.

The transform writes each hour's part in the day file's own format (`Table.parquet_options`), so
the day file is the parts' row groups joined without decoding (`tables.parquet_concat`). A part
some of whose rows must go (repeats of earlier hours) is first decoded, filtered and encoded
alone, a row group at a time. Parts that cannot be joined safely are decoded and encoded whole
instead, with the same row groups; both ways give the same rows in the same order and row groups.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import BinaryIO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from gh_assets.tables.catalogue import Table
from gh_assets.tables.parquet_concat import ConcatRefused, concatenate, read_footer
from gh_assets.tables.storage import Storage

SPOOL_BYTES = 64 << 20  # a re-encoded part stays in memory up to this size, then goes to disk

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PartRows:
    """One hour's part of a table, and the event ids whose rows leave it (None: none leave)."""

    path: str
    dropped_ids: pa.Array | None = None


def write_day_file(storage: Storage, path: str, table: Table, parts: Sequence[PartRows]) -> int:
    """Write the rows of `parts` (in order, less their dropped ids) as the file at `path`, which
    appears whole or not at all; the rows written."""
    with ExitStack() as stack:
        files = []
        for part in parts:
            file = stack.enter_context(storage.fs.open(part.path, "rb"))
            if part.dropped_ids is not None:
                file = stack.enter_context(_filtered(file, table, part.dropped_ids))
            files.append(file)
        with storage.open_atomic(path) as out:
            try:
                footers = [read_footer(file, file.seek(0, 2)) for file in files]
                return concatenate(list(zip(files, footers, strict=True)), out)
            except ConcatRefused as refused:
                if parts:
                    log.info("%s: decoding its parts (%s)", path, refused)
                return _decoded_and_encoded(files, out, table)


def _write_row_groups(file: BinaryIO, writer: pq.ParquetWriter, dropped_ids=None) -> int:
    """Each row group of the Parquet `file` (less the rows of `dropped_ids`) as one row group."""
    part = pq.ParquetFile(file)
    rows = 0
    for index in range(part.num_row_groups):
        group = part.read_row_group(index)
        if dropped_ids is not None:
            group = group.filter(pc.invert(pc.is_in(group["event_id"], dropped_ids)))
        if group.num_rows:
            writer.write_table(group)
            rows += group.num_rows
    return rows


@contextmanager
def _filtered(file: BinaryIO, table: Table, dropped_ids: pa.Array) -> Iterator[BinaryIO]:
    """The part in `file` without the rows of `dropped_ids`, as a temporary Parquet file."""
    with tempfile.SpooledTemporaryFile(SPOOL_BYTES) as spool:
        with pq.ParquetWriter(spool, table.schema, **table.parquet_options) as writer:
            _write_row_groups(file, writer, dropped_ids)
        yield spool


def _decoded_and_encoded(files: list[BinaryIO], out: BinaryIO, table: Table) -> int:
    with pq.ParquetWriter(out, table.schema, **table.parquet_options) as writer:
        return sum(_write_row_groups(file, writer) for file in files)
