"""The catalogue of output tables: each one's name (its asset key), description and columns.

Writers, assets, checks and the README read a table from here; adding a table is adding an entry
(and the code that fills it).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

import pyarrow as pa

from gh_assets.archive.names import filename_hour
from gh_assets.archive.source import HourFile


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    description: str


@dataclass(frozen=True)
class Table:
    """One table: `<storage>/<name>/date=YYYY-MM-DD/data.parquet`, one file per day."""

    name: str
    description: str
    columns: tuple[Column, ...]

    @cached_property
    def schema(self) -> pa.Schema:
        return pa.schema([pa.field(column.name, column.type) for column in self.columns])


UTC_MICROS = pa.timestamp("us", tz="UTC")
# Descriptions are plain text: the UI shows some of them (the catalog, column schemas) unrendered.
DAY_NOTE = (
    " A day's partition holds the files named for that day; created_at may fall outside it "
    "(2012-2014 files are named in US Pacific time, and since 2025-05-24 a file can hold late "
    "events)."
)


MANIFEST = Table(
    "gharchive_manifest",
    "The day's 24 hourly archive files (YYYY-MM-DD-H.json.gz, H = 0..23) with whether each "
    "exists, its size, ETag and Last-Modified. A missing hour is a normal outcome.",
    (
        Column("hour", pa.int8(), "Hour of the file's name (0-23)."),
        Column("filename", pa.string(), "Archive file name, e.g. 2015-01-01-0.json.gz."),
        Column("url", pa.string(), "URL the file was probed at."),
        Column("exists", pa.bool_(), "Whether the archive has the file (HEAD answered 200)."),
        Column("status", pa.int16(), "HTTP status of the HEAD request."),
        Column("size", pa.int64(), "Compressed size in bytes, when the file exists."),
        Column("etag", pa.string(), "ETag the archive gave, if any."),
        Column("last_modified", pa.string(), "Last-Modified the archive gave, if any."),
    ),
)
PUSH_EVENTS = Table(
    "push_events",
    "Every PushEvent of the day's archive files, one row per push, all three formats of the "
    "archive read into one schema. Pushes since 2025-10-07 have no commit list: they are kept, "
    "with null size and commit_count." + DAY_NOTE,
    (
        Column(
            "event_id", pa.string(), "Event id; for 2012-2014 events (no id) a SHA-1 of the event."
        ),
        Column("push_id", pa.int64(), "GitHub's push id (absent in 2012-2014)."),
        Column("created_at", UTC_MICROS, "When the event was created, in UTC."),
        Column("user", pa.string(), "Login of the pusher."),
        Column("repo", pa.string(), "Repository as owner/name."),
        Column("repo_id", pa.int64(), "Repository id, where the format gives it."),
        Column("ref", pa.string(), "Pushed ref: refs/heads/*, refs/tags/* or refs/notes/*."),
        Column("head", pa.string(), "SHA of the ref after the push."),
        Column("before", pa.string(), "SHA of the ref before the push (2015 on)."),
        Column("size", pa.int64(), "Commits in the push (null since 2025-10-07)."),
        Column("distinct_size", pa.int64(), "Distinct commits in the push (2015 to 2025-10-06)."),
        Column(
            "commit_count", pa.int32(), "Commits listed (at most 20); null when there is no list."
        ),
        Column("source_file", pa.string(), "Archive file the event was read from."),
    ),
)
COMMITS = Table(
    "commits",
    "One row per commit listed in the day's pushes (at most 20 per push; size on the push is "
    "the true count). A commit is identified by (event_id, commit_index): the same sha can be in "
    "several pushes." + DAY_NOTE,
    (
        Column("event_id", pa.string(), "Event id of the push that lists the commit."),
        Column("commit_index", pa.int32(), "Position of the commit in the push's list, from 0."),
        Column("sha", pa.string(), "Commit SHA (not unique: a commit can be in several pushes)."),
        Column("push_id", pa.int64(), "GitHub's push id (absent in 2012-2014)."),
        Column("created_at", UTC_MICROS, "When the push event was created, in UTC."),
        Column("user", pa.string(), "Login of the pusher."),
        Column("repo", pa.string(), "Repository as owner/name."),
        Column("ref", pa.string(), "Pushed ref."),
        Column("author_name", pa.string(), "Commit author's name as listed (may be empty)."),
        Column("author_email", pa.string(), "Author email as GH Archive scrambles it, unchanged."),
        Column("message", pa.string(), "Commit message."),
        Column(
            "distinct", pa.bool_(), "Whether the commit is new to the repo (null before 2012-03)."
        ),
        Column("source_file", pa.string(), "Archive file the event was read from."),
    ),
)


_API_DESCRIPTIONS = {
    "event_id": "Event id of the push (without a commit list) the commit was asked for.",
    "commit_index": "Position of the commit in GitHub's compare answer, oldest first, from 0.",
    "author_email": "Author email scrambled as GH Archive does: SHA-1 of the local part, @domain.",
    "distinct": "Null: the API does not say whether the commit was new to the repository.",
}

API_COMMITS = Table(
    "api_commits",
    "One row per commit that GitHub's REST API (compare/{before}...{head}) lists for each push "
    "of the day without a commit list (since 2025-10-07), in the repositories followed "
    "(GH_ASSETS_API_COMMITS_REPOS). The columns of commits plus source, so the two tables "
    "union." + DAY_NOTE,
    tuple(
        replace(column, description=description)
        if (description := _API_DESCRIPTIONS.get(column.name))
        else column
        for column in COMMITS.columns
    )
    + (Column("source", pa.string(), "Where the row comes from: api (GitHub's REST API)."),),
)


def manifest_table(files: list[HourFile]) -> pa.Table:
    """One row per hourly file of a day, from what the archive said of it."""
    rows = [
        {
            "hour": filename_hour(file.filename),
            **{name: getattr(file, name) for name in MANIFEST.schema.names if name != "hour"},
        }
        for file in files
    ]
    return pa.Table.from_pylist(rows, schema=MANIFEST.schema)
