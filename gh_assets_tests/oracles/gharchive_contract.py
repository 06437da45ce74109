"""What archive files are called and which rows the pipeline must produce: names, columns, order."""

from __future__ import annotations

from datetime import date
from typing import Any

PUSH_COLUMNS = (
    "event_id",
    "push_id",
    "user",
    "repo",
    "repo_id",
    "created_at",
    "ref",
    "head",
    "before",
    "size",
    "distinct_size",
    "commit_count",
    "source_file",
)
COMMIT_COLUMNS = (
    "event_id",
    "commit_index",
    "sha",
    "repo",
    "user",
    "created_at",
    "author_name",
    "author_email",
    "message",
    "distinct",
    "ref",
    "push_id",
    "source_file",
)

Row = dict[str, Any]


def hour_file_name(day: date, hour: int) -> str:
    """The archive's file name for one hour: the hour is not zero-padded."""
    return f"{day:%Y-%m-%d}-{hour}.json.gz"


def hour_of_file(source_file: str) -> int:
    """The hour number in a file name such as `2015-01-01-13.json.gz`."""
    return int(source_file.removesuffix(".json.gz").rsplit("-", 1)[1])


def _none_last(value: Any) -> tuple[bool, Any]:
    return (value is None, 0 if value is None else value)


def push_sort_key(row: Row) -> tuple:
    """A total order on push rows that does not use event_id (timeline rows have none)."""
    columns = ("created_at", "repo", "user", "ref", "push_id", "head", "before", "size")
    return (*(_none_last(row[c]) for c in columns), hour_of_file(row["source_file"]))


def commit_sort_key(row: Row) -> tuple:
    """A total order on commit rows that does not use event_id."""
    columns = ("created_at", "repo", "user", "ref", "push_id")
    return (
        *(_none_last(row[c]) for c in columns),
        hour_of_file(row["source_file"]),
        row["commit_index"],
        row["sha"],
    )
