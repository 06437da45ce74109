"""Publish a day: merge its hourly parts into one file per table, dropping repeated events.

Within a file the transform already keeps the first copy of an event; across the day's files the
first file (in hour order) wins here. Commits go with their push: a dropped push drops its commits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from gh_assets.tables.catalogue import COMMITS, PUSH_EVENTS
from gh_assets.tables.storage import PARQUET_OPTIONS, Storage


@dataclass(frozen=True)
class HourParts:
    """Where one hour's staged parts are."""

    push_events: str
    commits: str


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


def first_occurrences(event_ids: list[pa.ChunkedArray]) -> list[pa.Array | None]:
    """Per part, a keep-mask for rows whose event id was not seen in an earlier part (None: all)."""
    sizes = [len(ids) for ids in event_ids]
    total = sum(sizes)
    if total == 0:
        return [None] * len(event_ids)
    combined = pa.table(
        {
            "event_id": pa.chunked_array(
                [chunk for ids in event_ids for chunk in ids.chunks], type=pa.string()
            ),
            "row": pa.array(range(total), type=pa.int64()),
        }
    )
    first_rows = combined.group_by("event_id", use_threads=False).aggregate([("row", "min")])
    if first_rows.num_rows == total:
        return [None] * len(event_ids)
    keep = pc.is_in(combined["row"], value_set=first_rows["row_min"]).combine_chunks()
    masks, offset = [], 0
    for size in sizes:
        mask = keep.slice(offset, size)
        masks.append(None if pc.all(mask).as_py() else mask)
        offset += size
    return masks


def top_counts(counts: list[pa.Table], column: str, limit: int = 10) -> list[tuple[str, int]]:
    """The most frequent values over per-part `(column, pushes)` count tables."""
    if not counts:
        return []
    combined = pa.concat_tables(counts).group_by(column).aggregate([("pushes", "sum")])
    top = combined.sort_by([("pushes_sum", "descending"), (column, "ascending")]).slice(0, limit)
    return list(zip(top[column].to_pylist(), top["pushes_sum"].to_pylist(), strict=True))


def commit_day(
    storage: Storage, day: dt.date, parts: list[HourParts], staging_dir: str
) -> DaySummary:
    """Write the day's `push_events` and `commits` files from its parts, then drop the staging."""
    summary = DaySummary(day)
    event_ids = [storage.read_table(part.push_events, ["event_id"])["event_id"] for part in parts]
    masks = first_occurrences(event_ids)
    repo_counts = []
    if event_ids:
        all_ids = pa.chunked_array([c for ids in event_ids for c in ids.chunks], type=pa.string())
        summary.distinct_event_ids = pc.count_distinct(all_ids).as_py()
    push_path = storage.day_file(PUSH_EVENTS.name, day)
    commits_path = storage.day_file(COMMITS.name, day)
    with (
        storage.open_atomic(push_path) as push_file,
        storage.open_atomic(commits_path) as commits_file,
        pq.ParquetWriter(push_file, PUSH_EVENTS.schema, **PARQUET_OPTIONS) as push_writer,
        pq.ParquetWriter(commits_file, COMMITS.schema, **PARQUET_OPTIONS) as commits_writer,
    ):
        for part, mask in zip(parts, masks, strict=True):
            pushes = storage.read_table(part.push_events)
            commits = storage.read_table(part.commits)
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
            counts = pushes.group_by("repo").aggregate([([], "count_all")])
            repo_counts.append(pa.table({"repo": counts["repo"], "pushes": counts["count_all"]}))
            summary.commits += commits.num_rows
    summary.top_repos = top_counts(repo_counts, "repo")
    summary.push_events_path = storage.uri(push_path)
    summary.commits_path = storage.uri(commits_path)
    summary.push_events_bytes = storage.fs.size(push_path)
    summary.commits_bytes = storage.fs.size(commits_path)
    storage.remove_tree(staging_dir)
    return summary
