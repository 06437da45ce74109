"""The rows of one file's push events, from either reader, in file order and without repeats."""

from __future__ import annotations

import pyarrow as pa

from gh_assets.reading.arrow_pushes import push_tables
from gh_assets.reading.events import (
    as_int64,
    created_at_micros,
    event_key,
    event_repo,
    event_repo_id,
    event_user,
    listed_commits,
)
from gh_assets.tables.arrays import array, booleans, empty_table, repeated
from gh_assets.tables.catalogue import COMMITS, PUSH_EVENTS


class PushTableBuilder:
    """Collects push events into `push_events` and `commits` tables, dropping repeated events.

    Events come one by one (`add`, the normative reader) or a batch at a time (`add_read`, the
    Arrow reader); the order they came in is kept across both.
    """

    def __init__(self, source_file: str):
        self.source_file = source_file
        self.seen: set[str] = set()
        self.duplicates = 0
        self.push_count = 0
        self.commit_count = 0
        self.pending_rows = 0
        self._tables: list[tuple[pa.Table, pa.Table]] = []
        self._reset_rows()

    def _reset_rows(self) -> None:
        self.push_rows: list[tuple] = []
        self.commit_rows: list[tuple] = []

    def _first_time(self, key: str) -> bool:
        if key in self.seen:
            self.duplicates += 1
            return False
        self.seen.add(key)
        return True

    def add(self, event: dict) -> None:
        """Add one PushEvent: a `push_events` row (in column order) and a row per listed commit."""
        key = event_key(event)
        if not self._first_time(key):
            return
        payload = event.get("payload")
        if not isinstance(payload, dict):
            payload = {}
        user = event_user(event)
        repo = event_repo(event)
        created_at = created_at_micros(event.get("created_at"))
        push_id = as_int64(payload.get("push_id"))
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
                as_int64(payload.get("size")),
                as_int64(payload.get("distinct_size")),
                None if commits is None else len(commits),
            )
        )
        self.push_count += 1
        self.pending_rows += 1
        if commits is None:
            return
        self.commit_rows.extend(
            (key, index, sha, push_id, created_at, user, repo, ref, name, email, message, distinct)
            for index, (sha, email, message, name, distinct) in enumerate(commits)
        )
        self.commit_count += len(commits)
        self.pending_rows += len(commits)

    def add_read(self, pushes: pa.StructArray) -> None:
        """Add the PushEvents that `arrow_pushes.read_push_lines` read from a batch of lines."""
        keep = [self._first_time(key) for key in pushes.field("id").to_pylist()]
        push_table, commit_table = push_tables(pushes.filter(booleans(keep)), self.source_file)
        self._rows_to_tables()
        self._tables.append((push_table, commit_table))
        self.push_count += push_table.num_rows
        self.commit_count += commit_table.num_rows
        self.pending_rows += push_table.num_rows + commit_table.num_rows

    def _rows_to_tables(self) -> None:
        if self.push_rows:
            self._tables.append(
                (
                    _table(self.push_rows, self.source_file, PUSH_EVENTS.schema),
                    _table(self.commit_rows, self.source_file, COMMITS.schema),
                )
            )
            self._reset_rows()

    def take(self) -> tuple[pa.Table, pa.Table]:
        """The rows collected since the last call, as (push_events, commits) tables."""
        self._rows_to_tables()
        pushes = [tables[0] for tables in self._tables] or [empty_table(PUSH_EVENTS.schema)]
        commits = [tables[1] for tables in self._tables] or [empty_table(COMMITS.schema)]
        self._tables = []
        self.pending_rows = 0
        return pa.concat_tables(pushes), pa.concat_tables(commits)


def _table(rows: list[tuple], source_file: str, schema: pa.Schema) -> pa.Table:
    """Rows holding every column but the last, `source_file`, which is the same for all."""
    columns = list(zip(*rows, strict=True)) or [()] * (len(schema) - 1)
    types = schema.types[:-1]
    arrays = [array(values, type_) for values, type_ in zip(columns, types, strict=True)]
    arrays.append(repeated(source_file, len(rows)))
    return pa.Table.from_arrays(arrays, schema=schema)
