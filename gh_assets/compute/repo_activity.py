"""`repo_activity`: one row per repository and day, counted by DuckDB from the day's `events`.

DuckDB reads the day's `events` file where it is (a local path, or an object store through the
project's own fsspec filesystem, so no DuckDB extension has to be downloaded) and groups it by
repository. A figure that needs a payload field an era lacks is null for the repository and day
(`CASE ... bool_and(...) IS FALSE`), never a silent zero. A recount over the same file with
pyarrow, sharing no code with the SQL, backs the asset check.
"""

from __future__ import annotations

import datetime as dt
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
REPO_ACTIVITY_SQL = f"""
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
FROM read_parquet($path)
WHERE repo IS NOT NULL
GROUP BY repo
ORDER BY repo
"""


@dataclass(frozen=True)
class ActivityDay:
    day: dt.date
    repos: int
    bytes_written: int
    path: str


def repo_activity_table(storage: Storage, day: dt.date) -> pa.Table:
    """The day's `repo_activity` rows, from its `events` file."""
    events = storage.day_file(EVENTS.name, day)
    if not storage.fs.exists(events):
        raise FileNotFoundError(
            f"{storage.uri(events)} does not exist: materialize `events` for {day} first"
        )
    connection = duckdb.connect(config={"threads": 2})
    try:
        if not storage.is_local:
            connection.register_filesystem(storage.fs)
        path = storage.uri(events)
        table = connection.sql(REPO_ACTIVITY_SQL, params={"path": path}).to_arrow_table()
    finally:
        connection.close()
    return table.cast(REPO_ACTIVITY.schema)


def write_repo_activity(storage: Storage, day: dt.date) -> ActivityDay:
    """Compute and write the day's `repo_activity` file, atomically."""
    table = repo_activity_table(storage, day)
    path = storage.day_file(REPO_ACTIVITY.name, day)
    written = storage.write_table(path, table)
    return ActivityDay(day, table.num_rows, written, storage.uri(path))


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
