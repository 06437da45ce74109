"""The output tables: their columns, with descriptions, and a builder that fills them."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from gh_assets.archive import HourFile
from gh_assets.events import (
    as_int,
    created_at_micros,
    event_key,
    event_repo,
    event_repo_id,
    event_user,
    listed_commits,
)


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    description: str


UTC_MICROS = pa.timestamp("us", tz="UTC")

MANIFEST_COLUMNS = (
    Column("hour", pa.int8(), "Hour of the file's name (0-23)."),
    Column("filename", pa.string(), "Archive file name, e.g. 2015-01-01-0.json.gz."),
    Column("url", pa.string(), "URL the file was probed at."),
    Column("exists", pa.bool_(), "Whether the archive has the file (HEAD answered 200)."),
    Column("status", pa.int16(), "HTTP status of the HEAD request."),
    Column("size", pa.int64(), "Compressed size in bytes, when the file exists."),
    Column("etag", pa.string(), "ETag the archive gave, if any."),
    Column("last_modified", pa.string(), "Last-Modified the archive gave, if any."),
)

PUSH_EVENT_COLUMNS = (
    Column("event_id", pa.string(), "Event id; for 2012-2014 events (no id) a SHA-1 of the event."),
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
    Column("commit_count", pa.int32(), "Commits listed (at most 20); null when there is no list."),
    Column("source_file", pa.string(), "Archive file the event was read from."),
)

COMMIT_COLUMNS = (
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
    Column("distinct", pa.bool_(), "Whether the commit is new to the repo (null before 2012-03)."),
    Column("source_file", pa.string(), "Archive file the event was read from."),
)


def arrow_schema(columns: tuple[Column, ...]) -> pa.Schema:
    return pa.schema([pa.field(column.name, column.type) for column in columns])


MANIFEST_SCHEMA = arrow_schema(MANIFEST_COLUMNS)
PUSH_EVENTS_SCHEMA = arrow_schema(PUSH_EVENT_COLUMNS)
COMMITS_SCHEMA = arrow_schema(COMMIT_COLUMNS)


class PushTableBuilder:
    """Collects push events into `push_events` and `commits` columns, dropping repeated events."""

    def __init__(self, source_file: str):
        self.source_file = source_file
        self.seen: set[str] = set()
        self.duplicates = 0
        self.pushes_without_commit_list = 0
        self.unparsed_created_at = 0
        self.push_count = 0
        self.commit_count = 0
        self._reset()

    def _reset(self) -> None:
        self.pushes = {column.name: [] for column in PUSH_EVENT_COLUMNS}
        self.commits = {column.name: [] for column in COMMIT_COLUMNS}

    @property
    def pending_rows(self) -> int:
        return len(self.pushes["event_id"]) + len(self.commits["event_id"])

    def add(self, event: dict) -> None:
        key = event_key(event)
        if key in self.seen:
            self.duplicates += 1
            return
        self.seen.add(key)
        payload = event.get("payload")
        if not isinstance(payload, dict):
            payload = {}
        user = event_user(event)
        repo = event_repo(event)
        created_at = created_at_micros(event.get("created_at"))
        self.unparsed_created_at += created_at is None
        push_id = as_int(payload.get("push_id"))
        ref = payload.get("ref")
        commits = listed_commits(payload)
        pushes = self.pushes
        pushes["event_id"].append(key)
        pushes["push_id"].append(push_id)
        pushes["created_at"].append(created_at)
        pushes["user"].append(user)
        pushes["repo"].append(repo)
        pushes["repo_id"].append(event_repo_id(event))
        pushes["ref"].append(ref)
        pushes["head"].append(payload.get("head"))
        pushes["before"].append(payload.get("before"))
        pushes["size"].append(as_int(payload.get("size")))
        pushes["distinct_size"].append(as_int(payload.get("distinct_size")))
        pushes["commit_count"].append(None if commits is None else len(commits))
        self.push_count += 1
        if commits is None:
            self.pushes_without_commit_list += 1
            return
        columns = self.commits
        for index, commit in enumerate(commits):
            columns["event_id"].append(key)
            columns["commit_index"].append(index)
            columns["sha"].append(commit.sha)
            columns["push_id"].append(push_id)
            columns["created_at"].append(created_at)
            columns["user"].append(user)
            columns["repo"].append(repo)
            columns["ref"].append(ref)
            columns["author_name"].append(commit.author_name)
            columns["author_email"].append(commit.author_email)
            columns["message"].append(commit.message)
            columns["distinct"].append(commit.distinct)
        self.commit_count += len(commits)

    def take(self) -> tuple[pa.Table, pa.Table]:
        """The rows collected since the last call, as (push_events, commits) tables."""
        self.pushes["source_file"] = [self.source_file] * len(self.pushes["event_id"])
        self.commits["source_file"] = [self.source_file] * len(self.commits["event_id"])
        tables = (
            _table(self.pushes, PUSH_EVENTS_SCHEMA),
            _table(self.commits, COMMITS_SCHEMA),
        )
        self._reset()
        return tables


def _table(columns: dict[str, list], schema: pa.Schema) -> pa.Table:
    return pa.Table.from_arrays(
        [_array(columns[field.name], field.type) for field in schema], schema=schema
    )


def _array(values: list, type_: pa.DataType) -> pa.Array:
    """An Arrow array; strings that are not valid Unicode (lone surrogates) are mended, not lost."""
    try:
        return pa.array(values, type=type_)
    except (UnicodeEncodeError, pa.ArrowInvalid, pa.ArrowTypeError):
        if type_ != pa.string():
            raise
        return pa.array([_valid_text(value) for value in values], type=type_)


def _valid_text(value: object) -> str | None:
    if value is None:
        return None
    return str(value).encode("utf-8", "replace").decode("utf-8")


def manifest_table(files: list[HourFile]) -> pa.Table:
    """One row per hourly file of a day, from what the archive said of it."""
    rows = [
        {
            "hour": int(file.filename.removesuffix(".json.gz").rsplit("-", 1)[1]),
            **{name: getattr(file, name) for name in MANIFEST_SCHEMA.names if name != "hour"},
        }
        for file in files
    ]
    return pa.Table.from_pylist(rows, schema=MANIFEST_SCHEMA)
