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
    Column("ref", pa.string(), "Pushed ref: `refs/heads/*`, `refs/tags/*` or `refs/notes/*`."),
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
        self.push_count = 0
        self.commit_count = 0
        self._reset()

    def _reset(self) -> None:
        self.push_rows: list[tuple] = []
        self.commit_rows: list[tuple] = []

    @property
    def pending_rows(self) -> int:
        return len(self.push_rows) + len(self.commit_rows)

    def add(self, event: dict) -> None:
        """Add one PushEvent: a `push_events` row (in column order) and a row per listed commit."""
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
        push_id = as_int(payload.get("push_id"))
        ref = payload.get("ref")
        commits = listed_commits(payload)
        self.push_rows.append(
            (
                key,
                push_id,
                created_at,
                user,
                repo,
                event_repo_id(event),
                ref,
                payload.get("head"),
                payload.get("before"),
                as_int(payload.get("size")),
                as_int(payload.get("distinct_size")),
                None if commits is None else len(commits),
            )
        )
        self.push_count += 1
        if commits is None:
            return
        self.commit_rows.extend(
            (key, index, sha, push_id, created_at, user, repo, ref, name, email, message, distinct)
            for index, (sha, email, message, name, distinct) in enumerate(commits)
        )
        self.commit_count += len(commits)

    def take(self) -> tuple[pa.Table, pa.Table]:
        """The rows collected since the last call, as (push_events, commits) tables."""
        tables = (
            _table(self.push_rows, self.source_file, PUSH_EVENTS_SCHEMA),
            _table(self.commit_rows, self.source_file, COMMITS_SCHEMA),
        )
        self._reset()
        return tables


def _table(rows: list[tuple], source_file: str, schema: pa.Schema) -> pa.Table:
    """Rows holding every column but the last, `source_file`, which is the same for all."""
    columns = list(zip(*rows, strict=True)) or [()] * (len(schema) - 1)
    arrays = [
        _array(list(values), type_)
        for values, type_ in zip(columns, schema.types[:-1], strict=True)
    ]
    arrays.append(pa.array([source_file] * len(rows), pa.string()))
    return pa.Table.from_arrays(arrays, schema=schema)


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
