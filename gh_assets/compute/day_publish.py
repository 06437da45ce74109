"""Publish a day: each table's hourly parts joined into one day file, repeated events dropped.

Within a file the transform keeps the first copy of an event. Across the day's files the first
file (in hour order) wins, by one rule for every table: a table is keyed by the event ids of a key
table, itself or the one its rows go with (`DayTable.key`), and from each hour's part leave the
rows whose event id is in an earlier hour's part of that key table. So a dropped push drops its
commits. Only the key tables' event ids and the columns the day's figures need are decoded; the
parts are joined without decoding where no row leaves them (`day_files`), so a day of every event
never has to fit in memory. Only the tables asked for are written.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gh_assets.compute.day_files import PartRows, write_day_file
from gh_assets.tables.arrays import booleans, empty_table, to_numpy
from gh_assets.tables.catalogue import COMMITS, EVENTS, PUSH_EVENTS, Table
from gh_assets.tables.storage import Storage

HourParts = Mapping[str, str]  # where one hour's staged parts are: table name -> path


@dataclass(frozen=True)
class DayTable:
    """How a table's day is published: the table whose event ids say what is a repeat (itself,
    or the one its rows go with), and the columns the day's figures read (of a key table)."""

    table: Table
    key: Table
    figure_columns: tuple[str, ...] = ()


DAY_TABLES = {
    day_table.table.name: day_table
    for day_table in (
        DayTable(PUSH_EVENTS, PUSH_EVENTS, ("repo", "commit_count", "created_at")),
        DayTable(COMMITS, PUSH_EVENTS),
        DayTable(EVENTS, EVENTS, ("type", "created_at")),
    )
}


@dataclass
class KeyTableDay:
    """What a key table's parts say of the day, whether or not the table itself is written:
    the repeats that leave, the distinct event ids, the figure columns of the rows that stay."""

    repeated: list[pa.Array | None]
    repeats_dropped: int
    distinct_ids: int
    columns: pa.Table


@dataclass
class PublishedTable:
    rows: int
    bytes: int
    path: str


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
    if limit is None:
        return sorted(pairs, key=_most_first)
    return heapq.nsmallest(limit, pairs, key=_most_first)  # sorted()[:limit], without the sort


def _most_first(pair: tuple) -> tuple:
    value, count = pair
    return -count, value is None, value or ""


def read_key_table(storage: Storage, day_table: DayTable, paths: Sequence[str]) -> KeyTableDay:
    """The event ids and figure columns of a key table's parts, and which of its rows leave.

    Text figure columns (repositories, event types) are read as dictionaries, small however many
    rows a day has."""
    names = ["event_id", *day_table.figure_columns]
    schema = pa.schema([day_table.table.schema.field(name) for name in names])
    texts = [name for name in day_table.figure_columns if schema.field(name).type == pa.string()]
    read = [storage.read_table(path, names, texts) for path in paths]
    ids = [columns["event_id"] for columns in read]
    masks = first_occurrences(ids)
    repeated = [
        None if mask is None else pc.filter(part_ids, pc.invert(mask)).combine_chunks()
        for part_ids, mask in zip(ids, masks, strict=True)
    ]
    kept = [
        columns if mask is None else columns.filter(mask)
        for columns, mask in zip(read, masks, strict=True)
    ]
    all_ids = pa.chunked_array([chunk for part in ids for chunk in part.chunks], pa.string())
    return KeyTableDay(
        repeated,
        sum(len(part) for part in repeated if part is not None),
        pc.count_distinct(all_ids).as_py(),
        pa.concat_tables(kept) if kept else empty_table(schema),
    )


def publish_table(
    storage: Storage,
    day: dt.date,
    table: Table,
    paths: Sequence[str],
    repeated: Sequence[pa.Array | None],
) -> PublishedTable:
    """Write the table's day file: the rows of its hours' parts, less those of `repeated` ids."""
    path = storage.day_file(table.name, day)
    parts = [PartRows(part, ids) for part, ids in zip(paths, repeated, strict=True)]
    rows = write_day_file(storage, path, table, parts)
    return PublishedTable(rows, storage.fs.size(path), storage.uri(path))


def commit_day(
    storage: Storage,
    day: dt.date,
    parts: list[HourParts],
    staging_dir: str,
    tables: Collection[str] = (PUSH_EVENTS.name, COMMITS.name),
    append: bool = False,
) -> DaySummary:
    """Write the day's files of `tables` from its parts, then drop the staging. With `append`,
    the parts follow the day's files in storage (those of `tables` and of their key tables),
    whose rows stay first and undecoded."""
    summary = DaySummary(day)
    day_tables = [DAY_TABLES[name] for name in DAY_TABLES if name in tables]
    if append:
        stored = {t.name for d in day_tables for t in (d.table, d.key)}
        parts = [{name: storage.day_file(name, day) for name in stored}, *parts]
    keys = {}
    for key in dict.fromkeys(day_table.key.name for day_table in day_tables):
        keys[key] = read_key_table(storage, DAY_TABLES[key], [part[key] for part in parts])
    for day_table in day_tables:
        name = day_table.table.name
        repeated = keys[day_table.key.name].repeated
        published = publish_table(storage, day, day_table.table, [p[name] for p in parts], repeated)
        # a table's fields in the summary are named after it: push_events, push_events_bytes, ...
        setattr(summary, name, published.rows)
        setattr(summary, f"{name}_bytes", published.bytes)
        setattr(summary, f"{name}_path", published.path)
    if PUSH_EVENTS.name in keys:
        _count_pushes(summary, keys[PUSH_EVENTS.name])
    if EVENTS.name in keys:
        _count_events(summary, keys[EVENTS.name])
    storage.remove_tree(staging_dir)
    return summary


def _count_pushes(summary: DaySummary, pushes: KeyTableDay) -> None:
    columns = pushes.columns
    summary.duplicates_across_files = pushes.repeats_dropped
    summary.distinct_event_ids = pushes.distinct_ids
    summary.pushes_without_commit_list = columns["commit_count"].null_count
    summary.unparsed_created_at = columns["created_at"].null_count
    summary.listed_commits = pc.sum(columns["commit_count"]).as_py() or 0
    summary.top_repos = top_counts(columns["repo"])


def _count_events(summary: DaySummary, events: KeyTableDay) -> None:
    summary.event_duplicates_across_files = events.repeats_dropped
    summary.distinct_events = events.distinct_ids
    summary.events_unparsed_created_at = events.columns["created_at"].null_count
    summary.event_types = dict(top_counts(events.columns["type"], limit=None))
