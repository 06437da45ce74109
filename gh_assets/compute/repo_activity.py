"""`repo_activity`: one row per repository and day, counted by DuckDB from the day's `events`.

DuckDB reads the day's `events` file where it is (a local path, or an object store through the
project's own fsspec filesystem, so no DuckDB extension has to be downloaded) and groups it by
repository. A figure that needs a payload field an era lacks is null for the repository and day
(`CASE ... bool_and(...) IS FALSE`), never a silent zero. A recount over the same file with
pyarrow, sharing no code with the SQL, backs the asset check.

A day that grows hour by hour is counted incrementally: the file records in its footer which row
groups of the `events` file it counted (their number and a digest of their metadata: sizes,
offsets, statistics), and when those are still the first row groups of the `events` file, as
after an append, only the row groups after them are counted and merged into the stored counts
(sums, min and max, null when either side is null); `actors`, a distinct count, is recounted from
the day's two columns repo and actor_login. Any other change of the `events` file counts it whole.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from gh_assets.tables.arrays import scalar
from gh_assets.tables.catalogue import EVENTS, REPO_ACTIVITY
from gh_assets.tables.storage import Storage

_PULL_REQUEST_CLOSED = "type = 'PullRequestEvent' AND action = 'closed'"
_PUSH = "type = 'PushEvent'"


def activity_sql(source: str) -> str:
    """The day's counts per repository over the events of `source` (a table expression)."""
    return f"""
SELECT
    repo,
    max(repo_id) AS repo_id,
    count(*) AS events,
    count(*) FILTER ({_PUSH}) AS pushes,
    count(*) FILTER (type = 'WatchEvent') AS stars,
    count(*) FILTER (type = 'ForkEvent') AS forks,
    count(*) FILTER (type = 'PullRequestEvent' AND action = 'opened') AS pull_requests_opened,
    CASE WHEN bool_and(json_exists(payload, '$.pull_request.merged'))
              FILTER ({_PULL_REQUEST_CLOSED}) IS FALSE THEN NULL
         ELSE count(*) FILTER ({_PULL_REQUEST_CLOSED}
                               AND json_extract_string(payload, '$.pull_request.merged') = 'true')
    END AS pull_requests_merged,
    count(*) FILTER (type = 'IssuesEvent' AND action = 'opened') AS issues_opened,
    count(*) FILTER (type = 'IssueCommentEvent') AS issue_comments,
    count(*) FILTER (type = 'ReleaseEvent') AS releases,
    CASE WHEN bool_and(try_cast(json_extract_string(payload, '$.size') AS BIGINT) IS NOT NULL)
              FILTER ({_PUSH}) IS FALSE THEN NULL
         ELSE coalesce(sum(try_cast(json_extract_string(payload, '$.size') AS BIGINT))
                       FILTER ({_PUSH}), 0)
    END AS commits,
    count(DISTINCT actor_login) AS actors,
    count(*) FILTER (is_bot) AS bot_events,
    min(created_at) AS first_event_at,
    max(created_at) AS last_event_at
FROM {source}
WHERE repo IS NOT NULL
GROUP BY repo
ORDER BY repo
"""


REPO_ACTIVITY_SQL = activity_sql("read_parquet($path)")
COUNTED_COLUMNS = [  # the columns of `events` the counts read
    "repo",
    "repo_id",
    "type",
    "action",
    "payload",
    "actor_login",
    "is_bot",
    "created_at",
]
_NULL_IF_EITHER = "CASE WHEN bool_or({0} IS NULL) THEN NULL ELSE sum({0})::BIGINT END"
_NOT_SUMMED = {
    "repo": "repo",
    "repo_id": "max(repo_id)",
    "pull_requests_merged": _NULL_IF_EITHER.format("pull_requests_merged"),
    "commits": _NULL_IF_EITHER.format("commits"),
    "actors": "any_value(actor_counts.actors)",
    "first_event_at": "min(first_event_at)",
    "last_event_at": "max(last_event_at)",
}
MERGED = {  # each column of the stored counts and of the new rows' counts, merged: a count sums
    name: _NOT_SUMMED.get(name, f"sum({name})::BIGINT") for name in REPO_ACTIVITY.schema.names
}
MERGE_SQL = f"""
WITH counted AS (
    SELECT * EXCLUDE (actors) FROM read_parquet($activity)
    UNION ALL BY NAME
    SELECT * EXCLUDE (actors) FROM ({activity_sql("new_events")})
),
actor_counts AS (
    SELECT repo, count(DISTINCT actor_login) AS actors
    FROM read_parquet($events)
    WHERE repo IS NOT NULL
    GROUP BY repo
)
SELECT {", ".join(f"{rule} AS {name}" for name, rule in MERGED.items())}
FROM counted JOIN actor_counts USING (repo)
GROUP BY repo
ORDER BY repo
"""
COUNTED_FROM = b"gh_assets.counted_from"  # the key of the marker in repo_activity's footer
# what a marker is valid for: these counts, of this table
COUNTING = hashlib.sha256(f"{REPO_ACTIVITY_SQL}{MERGE_SQL}{MERGED}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class ActivityDay:
    day: dt.date
    repos: int
    bytes_written: int
    path: str
    events_counted: int  # the rows of `events` counted: all of the day's, or those appended


@dataclass(frozen=True)
class CountedGroups:
    """The first `row_groups` row groups of a day's `events` file, identified by `digest`."""

    row_groups: int
    digest: str

    @classmethod
    def of(cls, events: pq.FileMetaData, row_groups: int) -> CountedGroups:
        digest = hashlib.sha256(COUNTING.encode())
        for group in range(row_groups):
            digest.update(repr(_described(events.row_group(group))).encode())
        return cls(row_groups, digest.hexdigest())

    def to_json(self) -> bytes:
        return json.dumps({"row_groups": self.row_groups, "digest": self.digest}).encode()

    @classmethod
    def stored_in(cls, storage: Storage, path: str) -> CountedGroups | None:
        """The marker of the `repo_activity` file `path`, if it has one."""
        if not storage.fs.exists(path):
            return None
        with storage.fs.open(path, "rb") as file:
            marker = (pq.ParquetFile(file).metadata.metadata or {}).get(COUNTED_FROM)
        return cls(**json.loads(marker)) if marker else None


def _described(group: pq.RowGroupMetaData) -> tuple:
    """A row group's rows, and each column chunk's place, sizes and statistics (raw: pyarrow's
    `to_dict` and typed statistics cost a hundred times more)."""
    chunks = [group.column(column) for column in range(group.num_columns)]
    return group.num_rows, [
        (
            chunk.data_page_offset,
            chunk.dictionary_page_offset,
            chunk.total_compressed_size,
            chunk.total_uncompressed_size,
            chunk.num_values,
            (stats.null_count, stats.min_raw, stats.max_raw)
            if (stats := chunk.statistics) is not None and chunk.is_stats_set
            else None,
        )
        for chunk in chunks
    ]


def events_file(storage: Storage, day: dt.date) -> str:
    """The path of the day's `events` file, which must exist."""
    events = storage.day_file(EVENTS.name, day)
    if not storage.fs.exists(events):
        raise FileNotFoundError(
            f"{storage.uri(events)} does not exist: materialize `events` for {day} first"
        )
    return events


def repo_activity_table(storage: Storage, day: dt.date) -> pa.Table:
    """The day's `repo_activity` rows, from its `events` file."""
    events = events_file(storage, day)
    connection = duckdb.connect(config={"threads": 2})
    try:
        if not storage.is_local:
            connection.register_filesystem(storage.fs)
        path = storage.uri(events)
        table = connection.sql(REPO_ACTIVITY_SQL, params={"path": path}).to_arrow_table()
    finally:
        connection.close()
    return table.cast(REPO_ACTIVITY.schema)


def write_repo_activity(storage: Storage, day: dt.date, whole: bool = False) -> ActivityDay:
    """Compute and write the day's `repo_activity` file, atomically: only the `events` row
    groups appended since the stored file was counted, when it counted the others (unless
    `whole`: a rebuild that trusts nothing stored)."""
    path, events = storage.day_file(REPO_ACTIVITY.name, day), events_file(storage, day)
    stored = None if whole else CountedGroups.stored_in(storage, path)
    with storage.fs.open(events, "rb") as file:
        metadata = pq.ParquetFile(file).metadata
    if (
        stored is not None
        and stored.row_groups <= metadata.num_row_groups
        and CountedGroups.of(metadata, stored.row_groups) == stored
    ):
        groups = range(stored.row_groups, metadata.num_row_groups)
        table = merged_activity_table(storage, day, metadata, groups)
        counted = sum(metadata.row_group(group).num_rows for group in groups)
    else:
        table, counted = repo_activity_table(storage, day), metadata.num_rows
    marker = CountedGroups.of(metadata, metadata.num_row_groups).to_json()
    written = storage.write_table(path, table.replace_schema_metadata({COUNTED_FROM: marker}))
    return ActivityDay(day, table.num_rows, written, storage.uri(path), counted)


def merged_activity_table(
    storage: Storage, day: dt.date, events_metadata: pq.FileMetaData, groups: range
) -> pa.Table:
    """The day's stored `repo_activity` counts with those of the `events` row groups `groups`
    merged in (`events_metadata`: the footer of the day's `events`, already read)."""
    events = storage.day_file(EVENTS.name, day)
    connection = duckdb.connect(config={"threads": 2})
    try:
        if not storage.is_local:
            connection.register_filesystem(storage.fs)
        paths = {
            "activity": storage.uri(storage.day_file(REPO_ACTIVITY.name, day)),
            "events": storage.uri(events),
        }
        with storage.fs.open(events, "rb") as file:
            # a batch at a time (not pyarrow.dataset, which imports pandas: see arrays.py)
            reader = pq.ParquetFile(file, metadata=events_metadata)
            schema = pa.schema([reader.schema_arrow.field(name) for name in COUNTED_COLUMNS])
            batches = reader.iter_batches(row_groups=groups, columns=COUNTED_COLUMNS)
            connection.register("new_events", pa.RecordBatchReader.from_batches(schema, batches))
            table = connection.sql(MERGE_SQL, params=paths).to_arrow_table()
    finally:
        connection.close()
    return table.cast(REPO_ACTIVITY.schema)


RECOUNTED = {"events": None, "pushes": "PushEvent", "stars": "WatchEvent", "forks": "ForkEvent"}


def recount_events(storage: Storage, day: dt.date) -> dict[str, int]:
    """Totals of the day's `events` with a repository, counted by pyarrow a row group at a time."""
    totals = dict.fromkeys(RECOUNTED, 0)
    with storage.fs.open(storage.day_file(EVENTS.name, day), "rb") as file:
        events = pq.ParquetFile(file)
        for group in range(events.num_row_groups):
            rows = events.read_row_group(group, columns=["repo", "type"])
            types = rows["type"].filter(pc.is_valid(rows["repo"]))
            for figure, kind in RECOUNTED.items():
                totals[figure] += len(types) if kind is None else _count(types, kind)
    return totals


def _count(types: pa.ChunkedArray, kind: str) -> int:
    # a scalar, not a plain string, which would import pandas through pyarrow's shim (arrays.py)
    return pc.sum(pc.equal(types, scalar(kind, pa.string()))).as_py() or 0


def activity_totals(storage: Storage, day: dt.date) -> dict[str, int]:
    """The same totals summed over the day's `repo_activity` file."""
    table = storage.read_table(storage.day_file(REPO_ACTIVITY.name, day), list(RECOUNTED))
    return {figure: pc.sum(table[figure]).as_py() or 0 for figure in RECOUNTED}
