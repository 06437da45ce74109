"""The Dask task graph of a run: one transform task per hourly file, one publish task per day.

Tasks write their Parquet straight to storage and return only small summaries; no table passes
through the caller. Each day is handed on as soon as it is published; a failed day does not stop
the others: every day is tried, then the failures are raised together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gh_assets.archive.names import day_filenames
from gh_assets.archive.source import ArchiveSource
from gh_assets.compute.day_append import EarlierHours, with_earlier
from gh_assets.compute.day_publish import DaySummary, HourParts, commit_day
from gh_assets.compute.hour_transform import HourSummary, transform_hour
from gh_assets.tables.catalogue import COMMITS, EVENTS, PUSH_EVENTS
from gh_assets.tables.storage import Storage

if TYPE_CHECKING:  # distributed is imported when a run uses it, not with the code location
    from distributed import Client


class DaysFailed(RuntimeError):
    """Some days of a run could not be built; the message names each day and its cause, a line
    each."""

    def __init__(
        self,
        failures: Mapping[dt.date, str],
        day_count: int,
        causes: tuple[BaseException, ...] = (),
    ):
        lines = [f"{day}: {cause}" for day, cause in sorted(failures.items())]
        super().__init__(f"{len(failures)} of {day_count} days failed:\n" + "\n".join(lines))
        self.failures = dict(failures)
        self.causes = causes


@dataclass
class DayResult:
    summary: DaySummary
    hours: list[HourSummary]


def staged_tables(tables: Collection[str]) -> tuple[str, ...]:
    """The tables an hour's task writes parts of: both push tables when either is asked for (the
    day's publish de-duplicates commits by their push), and `events` when asked for."""
    push = (
        (PUSH_EVENTS.name, COMMITS.name) if {PUSH_EVENTS.name, COMMITS.name} & set(tables) else ()
    )
    return (*push, *((EVENTS.name,) if EVENTS.name in tables else ()))


def hour_parts(
    storage: Storage, staging_dir: str, filename: str, tables: Collection[str]
) -> HourParts:
    return {
        table: storage.staged_part(staging_dir, table, filename) for table in staged_tables(tables)
    }


def publish_day(
    storage: Storage,
    day: dt.date,
    staging_dir: str,
    parts: list[HourParts],
    hours: list[HourSummary],
    tables: Collection[str],
    earlier: EarlierHours | None = None,
) -> DayResult:
    """Merge the parts of the hours that were read into the day's files of `tables`; with
    `earlier`, after the rows of the day's files in storage, which hold the hours read before."""
    read = [part for part, hour in zip(parts, hours, strict=True) if hour.read]
    summary = commit_day(storage, day, read, staging_dir, tables, append=earlier is not None)
    if earlier is None:
        return DayResult(summary, hours)
    summary.duplicates_across_files += earlier.repeats_across_files.get(PUSH_EVENTS.name, 0)
    summary.event_duplicates_across_files += earlier.repeats_across_files.get(EVENTS.name, 0)
    return DayResult(summary, with_earlier(hours, earlier))


def build_days(
    client: Client,
    archive: ArchiveSource,
    storage: Storage,
    days: Mapping[dt.date, Collection[str]],
    run_token: str,
    published: Callable[[DayResult], None],
    hours: Mapping[dt.date, Sequence[str]] | None = None,
    earlier: Mapping[dt.date, EarlierHours] | None = None,
) -> None:
    """Build each day's tables (`days`: day -> table names) on the cluster behind `client`,
    reading each file once: the day's 24 files, or those `hours` names for it; a day of
    `earlier` grows its stored files by them. `published` is called with each day as soon as its
    files are in place, in the order days finish; the days that failed are raised together at the
    end."""
    from distributed import as_completed

    day_futures = {}
    for day, tables in days.items():
        staging_dir = storage.staging_dir(run_token, day)
        filenames = list((hours or {}).get(day, day_filenames(day)))
        parts = [hour_parts(storage, staging_dir, name, tables) for name in filenames]
        hour_futures = [
            client.submit(
                transform_hour,
                archive,
                storage,
                name,
                part,
                key=f"transform-{name}-{run_token}",
            )
            for name, part in zip(filenames, parts, strict=True)
        ]
        day_futures[day] = client.submit(
            publish_day,
            storage,
            day,
            staging_dir,
            parts,
            hour_futures,
            tuple(tables),
            (earlier or {}).get(day),
            key=f"publish-{day}-{run_token}",
        )
    try:
        for future in as_completed(day_futures.values()):
            if future.status == "finished":
                published(future.result())
    finally:
        storage.remove_tree(storage.staging_root(run_token))
    failures = {
        day: _failure(future) for day, future in day_futures.items() if future.status != "finished"
    }
    if failures:
        causes = tuple(f.exception() for f in day_futures.values() if f.status == "error")
        raise DaysFailed(failures, len(days), causes)


def _failure(future) -> str:
    if future.status == "error":
        exception = future.exception()
        return f"{type(exception).__name__}: {exception}"
    return f"task {future.status}"
