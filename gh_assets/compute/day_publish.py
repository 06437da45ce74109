"""Publish a day: merge its hourly parts into one file per table, dropping repeated events.

Within a file the transform already keeps the first copy of an event; across the day's files the
first file (in hour order) wins here. Commits go with their push: a dropped push drops its commits.
Only the tables asked for are written; `events` parts are copied a row group at a time, so a day
of every event never has to fit in memory.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from gh_assets.tables.arrays import booleans, to_numpy
from gh_assets.tables.catalogue import COMMITS, EVENTS, PUSH_EVENTS, Table
from gh_assets.tables.storage import PARQUET_OPTIONS, Storage

HourParts = Mapping[str, str]  # where one hour's staged parts are: table name -> path


@dataclass
class DaySummary:
    day: dt.date
    push_events: int = 0
    commits: int = 0
    duplicates_across_files: int = 0
    pushes_without_commit_list: int = 0
    unparsed_created_at: int = 0
    distinct_event_ids: int = 0
    listed_commits: int = 0
    top_repos: list[tuple[str, int]] = field(default_factory=list)
    push_events_bytes: int = 0
    commits_bytes: int = 0
    push_events_path: str = ""
    commits_path: str = ""
    events: int = 0
    events_bytes: int = 0
    events_path: str = ""
    event_duplicates_across_files: int = 0
    distinct_events: int = 0
    events_unparsed_created_at: int = 0
    event_types: dict[str, int] = field(default_factory=dict)


def first_occurrences(event_ids: list[pa.ChunkedArray]) -> list[pa.Array | None]:
    """Per part, a keep-mask for rows whose event id was not seen in an earlier part (None: all).

    Dictionary encoding numbers the distinct ids in the order they first occur, so a row holds
    an id's first occurrence exactly when its number exceeds every number before it.
    """
    sizes = [len(ids) for ids in event_ids]
    chunks = [chunk for ids in event_ids for chunk in ids.chunks]
    if not sum(sizes):
        return [None] * len(event_ids)
    numbers = to_numpy(
        pc.dictionary_encode(pa.chunked_array(chunks, pa.string()).combine_chunks()).indices
    )
    seen_before = np.maximum.accumulate(np.concatenate(([-1], numbers[:-1])))
    keep = numbers > seen_before
    masks, offset = [], 0
    for size in sizes:
        part = keep[offset : offset + size]
        masks.append(None if part.all() else booleans(part))
        offset += size
    return masks


def top_counts(values: pa.ChunkedArray | pa.Array, limit: int | None = 10) -> list[tuple]:
    """The most frequent values and their counts, the most frequent first, then by value."""
    counts = pc.value_counts(values)
    pairs = zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist(), strict=True)
    return sorted(pairs, key=lambda pair: (-pair[1], pair[0] is None, pair[0] or ""))[:limit]


def commit_day(
    storage: Storage,
    day: dt.date,
    parts: list[HourParts],
    staging_dir: str,
    tables: Collection[str] = (PUSH_EVENTS.name, COMMITS.name),
) -> DaySummary:
    """Write the day's files of `tables` from its parts, then drop the staging."""
    summary = DaySummary(day)
    if PUSH_EVENTS.name in tables or COMMITS.name in tables:
        _publish_pushes(storage, parts, summary, tables)
    if EVENTS.name in tables:
        _publish_events(storage, [part[EVENTS.name] for part in parts], summary)
    storage.remove_tree(staging_dir)
    return summary


def _publish_pushes(
    storage: Storage, parts: list[HourParts], summary: DaySummary, tables: Collection[str]
) -> None:
    day = summary.day
    event_ids = [
        storage.read_table(part[PUSH_EVENTS.name], ["event_id"])["event_id"] for part in parts
    ]
    masks = first_occurrences(event_ids)
    repos = []
    if event_ids:
        all_ids = pa.chunked_array([c for ids in event_ids for c in ids.chunks], type=pa.string())
        summary.distinct_event_ids = pc.count_distinct(all_ids).as_py()
    push_path = storage.day_file(PUSH_EVENTS.name, day)
    commits_path = storage.day_file(COMMITS.name, day)
    with (
        _day_writer(storage, PUSH_EVENTS, push_path, PUSH_EVENTS.name in tables) as push_writer,
        _day_writer(storage, COMMITS, commits_path, COMMITS.name in tables) as commits_writer,
    ):
        for part, mask in zip(parts, masks, strict=True):
            pushes = storage.read_table(part[PUSH_EVENTS.name])
            commits = storage.read_table(part[COMMITS.name])
            if mask is not None:
                dropped = pc.filter(pushes["event_id"], pc.invert(mask))
                summary.duplicates_across_files += len(dropped)
                pushes = pushes.filter(mask)
                commits = commits.filter(pc.invert(pc.is_in(commits["event_id"], dropped)))
            push_writer.write_table(pushes)
            commits_writer.write_table(commits)
            summary.push_events += pushes.num_rows
            summary.pushes_without_commit_list += pushes["commit_count"].null_count
            summary.unparsed_created_at += pushes["created_at"].null_count
            summary.listed_commits += pc.sum(pushes["commit_count"]).as_py() or 0
            repos += pushes["repo"].chunks
            summary.commits += commits.num_rows
    summary.top_repos = top_counts(pa.chunked_array(repos, pa.string()))
    if PUSH_EVENTS.name in tables:
        summary.push_events_path = storage.uri(push_path)
        summary.push_events_bytes = storage.fs.size(push_path)
    if COMMITS.name in tables:
        summary.commits_path = storage.uri(commits_path)
        summary.commits_bytes = storage.fs.size(commits_path)


def _publish_events(storage: Storage, paths: list[str], summary: DaySummary) -> None:
    event_ids = [storage.read_table(path, ["event_id"])["event_id"] for path in paths]
    masks = first_occurrences(event_ids)
    if event_ids:
        all_ids = pa.chunked_array([c for ids in event_ids for c in ids.chunks], type=pa.string())
        summary.distinct_events = pc.count_distinct(all_ids).as_py()
    types: Counter[str] = Counter()
    path = storage.day_file(EVENTS.name, summary.day)
    with _day_writer(storage, EVENTS, path, True) as writer:
        for part_path, mask in zip(paths, masks, strict=True):
            with storage.fs.open(part_path, "rb") as file:
                part = pq.ParquetFile(file)
                offset = 0
                for group in range(part.num_row_groups):
                    rows = part.read_row_group(group)
                    if mask is not None:
                        keep = mask.slice(offset, rows.num_rows)
                        offset += rows.num_rows
                        summary.event_duplicates_across_files += keep.false_count
                        rows = rows.filter(keep)
                    writer.write_table(rows)
                    summary.events += rows.num_rows
                    summary.events_unparsed_created_at += rows["created_at"].null_count
                    types.update(dict(top_counts(rows["type"], limit=None)))
    summary.event_types = dict(types.most_common())
    summary.events_path = storage.uri(path)
    summary.events_bytes = storage.fs.size(path)


class _NoWriter:
    """Stands in for the writer of a table that was not asked for."""

    def write_table(self, table: pa.Table) -> None:
        pass


@contextmanager
def _day_writer(storage: Storage, table: Table, path: str, wanted: bool):
    """A Parquet writer of a day file that appears whole when the block ends (if `wanted`)."""
    if not wanted:
        yield _NoWriter()
        return
    with (
        storage.open_atomic(path) as file,
        pq.ParquetWriter(file, table.schema, **PARQUET_OPTIONS) as writer,
    ):
        yield writer
