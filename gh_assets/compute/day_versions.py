"""What a table's day is built from, as one version, and which days of a run need building.

A day's version is a digest of its inputs: the identity of each of its hour files as the archive
described it (the manifest: whether it exists, size, ETag, Last-Modified) and the code version of
the table, or, for a table built from another table, that table's version. A day is up to date
when the version recorded for it equals the version its inputs give now and its file is in
storage; a run then has nothing to download for it. The Dagster layer records these versions as
the partitions' data versions; here they are plain strings.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import pyarrow as pa

# What identifies an hour file: a new upload has another size, ETag or Last-Modified
HOUR_IDENTITY = ("filename", "exists", "status", "size", "etag", "last_modified")


def hour_identities(manifest: pa.Table) -> list[dict]:
    """Each hour file of a day's manifest as the archive described it, in hour order."""
    columns = manifest.select(list(HOUR_IDENTITY)).to_pydict()
    return [
        dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)
    ]


def manifest_version(manifest: pa.Table, pending: Sequence[int] = ()) -> str:
    """The version of a day's hour files: equal exactly when every file is described the same
    and the same hours may still appear (`pending`; none once the day is complete)."""
    text = json.dumps(hour_identities(manifest), sort_keys=True)
    return _digest(text + (f"\npending {list(pending)}" if pending else ""))


def built_version(code_version: str, *input_versions: str) -> str:
    """The version of a day built by code of `code_version` from inputs of these versions."""
    return _digest("\n".join((code_version, *input_versions)))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class DayPlan:
    """Per day, the tables a run builds and the tables that are up to date (ISO days)."""

    build: dict[dt.date, tuple[str, ...]]
    up_to_date: dict[dt.date, tuple[str, ...]]


def plan_days(
    days: Sequence[dt.date],
    tables: Sequence[str],
    expected: Mapping[tuple[str, dt.date], str | None],
    recorded: Mapping[tuple[str, dt.date], str | None],
    stored: Collection[tuple[str, dt.date]],
    force: bool = False,
) -> DayPlan:
    """Which of `tables` each day needs built: those whose expected version is unknown (None) or
    differs from the recorded one, or whose file is not `stored`; every one with `force`."""
    build: dict[dt.date, tuple[str, ...]] = {}
    up_to_date: dict[dt.date, tuple[str, ...]] = {}
    for day in days:
        fresh = tuple(
            table
            for table in tables
            if not force
            and expected.get((table, day)) is not None
            and expected[table, day] == recorded.get((table, day))
            and (table, day) in stored
        )
        if fresh:
            up_to_date[day] = fresh
        if len(fresh) < len(tables):
            build[day] = tuple(table for table in tables if table not in fresh)
    return DayPlan(build, up_to_date)
