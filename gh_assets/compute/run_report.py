"""What a run did, day by day: each day's figures per table and its data checks, and run totals.

A range run builds many days at once, but each day is its own partition: every figure and check
here is about one day (`DayReport`), and what is about the whole run is named so
(`RunReport.run_totals`). The report is plain values (figures of
`gh_assets/reporting.py`); the Dagster layer turns them into metadata and check evaluations. The
checks of these tables are declared here, once each (`DataCheck`)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial

from gh_assets.archive.names import HOURS_PER_DAY, day_filenames, filename_hour
from gh_assets.archive.source import HourFile
from gh_assets.compute.day_publish import DaySummary
from gh_assets.compute.hour_transform import HourSummary
from gh_assets.compute.run_graph import DayResult
from gh_assets.reading.event_rows import EventsRead
from gh_assets.reporting import CheckOutcome, DataCheck, Figure, Markdown, TablePath, counted
from gh_assets.tables.catalogue import COMMITS, EVENTS, PUSH_EVENTS, Table

MAX_LISTED = 200  # files named in a Markdown list
MAX_DAYS_LISTED = 62  # days in the run totals table
TOP_REPOS = 10


@dataclass(frozen=True)
class DayReport:
    """One day of a run: what its partition records, and what its checks are judged on.

    `present_files` are the files the day's manifest lists as present (None without a manifest),
    `pending_files` those that may still appear (the archive is not done with the day).
    """

    result: DayResult
    present_files: frozenset[str] | None
    pending_files: frozenset[str] = frozenset()

    @property
    def day(self) -> dt.date:
        return self.result.summary.day

    @property
    def partition_key(self) -> str:
        return self.day.isoformat()

    @property
    def summary(self):
        return self.result.summary

    @property
    def hours(self):
        return self.result.hours

    @cached_property
    def found(self):
        """Hours the archive has."""
        return [hour for hour in self.hours if hour.found]

    @property
    def hours_missing(self) -> int:
        """Hours the archive does not have and will not publish."""
        found = {hour.source_file for hour in self.found}
        return len(set(day_filenames(self.day)) - found - self.pending_files)

    @property
    def complete(self) -> bool:
        return not self.pending_files

    def figures(self, table: Table) -> dict[str, Figure]:
        """The day's figures of one table, for its partition's materialization."""
        return {
            PUSH_EVENTS.name: self._push_figures,
            COMMITS.name: self._commit_figures,
            EVENTS.name: self._event_figures,
        }[table.name]()

    def _file_figures(self) -> dict[str, Figure]:
        """What the day's run read of the archive's files: the same for every table."""
        found = self.found
        read = [hour for hour in found if hour.read]
        return {
            "files_read": len(read),
            **self._progress(),
            "hours_missing": self.hours_missing,
            "unreadable_files": len(found) - len(read),
            "bytes_downloaded": sum(hour.compressed_bytes for hour in found),
            "lines_read": sum(hour.lines for hour in found),
            "blank_lines": sum(hour.blank_lines for hour in found),
            "nul_runs": sum(hour.nul_runs for hour in found),
            "read_retries": sum(hour.read_retries for hour in found),
            "worker_processes": self._worker_processes(read),
        }

    def _progress(self) -> dict[str, Figure]:
        """How much of the day the tables hold: hours read of 24, the newest of them, and whether
        the archive is done with the day (a day not complete yet grows as its hours appear)."""
        read = [filename_hour(hour.source_file) for hour in self.found if hour.read]
        return {
            "hours_read": f"{len(read)}/{HOURS_PER_DAY}",
            "newest_hour": f"{self.day} {max(read):02}:00 UTC" if read else "none",
            "complete": self.complete,
        }

    def _push_figures(self) -> dict[str, Figure]:
        day, found = self.summary, self.found
        damaged = [hour.source_file for hour in found if hour.damaged]
        return {
            "dagster/row_count": day.push_events,
            "bytes_written": day.push_events_bytes,
            **self._file_figures(),
            "events": sum(hour.events for hour in found),
            "push_events": day.push_events,
            "commits": day.commits,
            "pushes_without_commit_list": day.pushes_without_commit_list,
            "duplicates_dropped": sum(hour.duplicates_dropped for hour in found)
            + day.duplicates_across_files,
            "damaged_lines": sum(hour.damaged_lines for hour in found),
            "objects_recovered": sum(hour.objects_recovered for hour in found),
            "fragments_skipped": sum(hour.fragments_skipped for hour in found),
            "damaged_hours": len(damaged),
            "unparsed_created_at": day.unparsed_created_at,
            "damaged_files": _file_list(damaged),
            "path": TablePath(day.push_events_path),
            "top_repos": self._top_repos(),
        }

    def _event_figures(self) -> dict[str, Figure]:
        day, found = self.summary, self.found
        reads = [hour.events_read for hour in found if hour.events_read is not None]
        damaged = [hour.source_file for hour in found if _events_damaged(hour)]
        return {
            "dagster/row_count": day.events,
            "bytes_written": day.events_bytes,
            **self._file_figures(),
            "events": day.events,
            "duplicates_dropped": sum(read.duplicates_dropped for read in reads)
            + day.event_duplicates_across_files,
            "damaged_lines": sum(read.damaged_lines for read in reads),
            "objects_recovered": sum(read.objects_recovered for read in reads),
            "fragments_skipped": sum(read.fragments_skipped for read in reads),
            "damaged_hours": len(damaged),
            "unparsed_created_at": day.events_unparsed_created_at,
            "damaged_files": _file_list(damaged),
            "path": TablePath(day.events_path),
            "event_types": self._event_types(),
        }

    def _event_types(self) -> Markdown:
        """The day's events by type, as a Markdown table."""
        title = f"Events by type on {self.day}"
        if not self.summary.event_types:
            return Markdown(f"{title}: none")
        lines = [title, "", "| type | events |", "|---|---:|"]
        lines += [f"| {kind} | {count} |" for kind, count in self.summary.event_types.items()]
        return Markdown("\n".join(lines))

    def _commit_figures(self) -> dict[str, Figure]:
        return {
            "dagster/row_count": self.summary.commits,
            "bytes_written": self.summary.commits_bytes,
            **self._progress(),
            "path": TablePath(self.summary.commits_path),
        }

    def _worker_processes(self, read) -> Markdown:
        """Which worker process (host:pid) read how many of the day's files."""
        files = Counter(hour.worker for hour in read)
        lines = ["| worker process (host:pid) | hourly files read |", "|---|---:|"]
        lines += [f"| {worker} | {count} |" for worker, count in files.items()]
        return Markdown("\n".join(lines) if files else "no file read")

    def _top_repos(self) -> Markdown:
        """The day's most pushed-to repositories, as a Markdown table."""
        title = f"Top repositories by pushes on {self.day}"
        if not self.summary.top_repos:
            return Markdown(f"{title}: none (no push that day)")
        lines = [title, "", "| repo | pushes |", "|---|---:|"]
        lines += [f"| {repo} | {pushes} |" for repo, pushes in self.summary.top_repos[:TOP_REPOS]]
        return Markdown("\n".join(lines))


RUN_TOTAL_COLUMNS = {
    PUSH_EVENTS.name: (
        "push_events",
        "commits",
        "files_read",
        "hours_missing",
        "damaged_lines",
    ),
    COMMITS.name: ("dagster/row_count", "bytes_written"),
    EVENTS.name: ("events", "bytes_written", "damaged_lines"),
}


@dataclass(frozen=True)
class RunReport:
    """A run's days, and the files each day's manifest lists as present (by ISO day)."""

    days: tuple[DayResult, ...]
    present_files: Mapping[str, frozenset[str]]
    pending_files: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @cached_property
    def day_reports(self) -> tuple[DayReport, ...]:
        return tuple(self.day_report(day) for day in self.days)

    def day_report(self, day: DayResult) -> DayReport:
        key = day.summary.day.isoformat()
        return DayReport(day, self.present_files.get(key), self.pending_files.get(key, frozenset()))

    def run_totals(self, table: Table) -> Markdown:
        """Each day's main figures and their sum over the run, as one Markdown table."""
        columns = RUN_TOTAL_COLUMNS[table.name]
        per_day = [(day.partition_key, day.figures(table)) for day in self.day_reports]
        first, last = per_day[0][0], per_day[-1][0]
        lines = [
            f"Run totals over {len(per_day)} days built ({first} to {last}).",
            "",
            "| day | " + " | ".join(column.removeprefix("dagster/") for column in columns) + " |",
            "|---|" + "---:|" * len(columns),
        ]
        for key, figures in per_day[:MAX_DAYS_LISTED]:
            lines.append(f"| {key} | " + " | ".join(str(figures[c]) for c in columns) + " |")
        if len(per_day) > MAX_DAYS_LISTED:
            lines.append(f"| ({len(per_day) - MAX_DAYS_LISTED} more days) |" + " |" * len(columns))
        totals = [sum(figures[column] for _, figures in per_day) for column in columns]
        lines.append("| **run total** | " + " | ".join(f"**{t}**" for t in totals) + " |")
        return Markdown("\n".join(lines))


def manifest_figures(
    files: Sequence[HourFile], bytes_written: int, pending: Collection[int] = ()
) -> dict[str, Figure]:
    """One day's manifest figures: which of its 24 files the archive has, and how many of the
    others may still appear (`pending` hours: the day is not complete yet)."""
    absent = [file for file in files if not file.exists]
    missing = [file.filename for file in absent if filename_hour(file.filename) not in pending]
    return {
        "files_present": len(files) - len(absent),
        "hours_missing": len(missing),
        "hours_pending": len(pending),
        "complete": not pending,
        "bytes_available": sum(file.size or 0 for file in files),
        "bytes_written": bytes_written,
        "missing_files": _file_list(missing),
    }


def _events_damaged(hour: HourSummary) -> bool:
    read = hour.events_read
    return hour.stream_damaged or bool(read and read.damaged_lines)


def _file_list(names: list[str]) -> Markdown:
    return Markdown("\n".join(f"- `{name}`" for name in names[:MAX_LISTED]) or "none")


def _all_published_hours_read(day: DayReport) -> CheckOutcome:
    """Judged on the files the manifest lists, or without one on the files the run found."""
    present, hours = day.present_files, "published hours"
    if present is None:
        present = frozenset(hour.source_file for hour in day.found)
        hours = "hours found (no manifest for the day)"
    unread = sorted(present - {hour.source_file for hour in day.hours if hour.read})
    summary = (
        f"all {len(present)} {hours} read"
        if not unread
        else f"{len(unread)} of {len(present)} {hours} not read: {', '.join(unread[:3])}"
    )
    return CheckOutcome(
        not unread, summary, {"unread_files": len(unread), "first_unread": ", ".join(unread[:10])}
    )


def _archive_has_the_day(day: DayReport) -> CheckOutcome:
    """A day not complete yet passes: its hours may still appear."""
    missing = day.hours_missing
    pending = len(day.pending_files)
    summary = (
        f"all {HOURS_PER_DAY} hourly files are missing from the archive: the partition is empty"
        if missing == HOURS_PER_DAY
        else f"{HOURS_PER_DAY - missing - pending} of {HOURS_PER_DAY} hourly files in the archive"
        + (f" so far, {pending} still to come" if pending else "")
    )
    return CheckOutcome(missing < HOURS_PER_DAY, summary, {"hours_missing": missing})


def _damage_accounted_for(
    reading: Callable[[HourSummary], EventsRead | HourSummary | None], day: DayReport
) -> CheckOutcome:
    """Every damaged line of a reading (the push lines' or every line's) gave recovered events
    or counted skipped fragments."""
    unaccounted = sorted(
        hour.source_file
        for hour in day.hours
        if (read := reading(hour)) is not None
        and read.damaged_lines > read.objects_recovered + read.fragments_skipped
    )
    summary = (
        f"damaged lines unaccounted for in {', '.join(unaccounted[:3])}"
        if unaccounted
        else "every damaged line accounted for"
    )
    return CheckOutcome(not unaccounted, summary, {"files": ", ".join(unaccounted[:10]) or "none"})


def _no_duplicate_event_ids(
    rows_and_distinct: Callable[[DaySummary], tuple[int, int]], day: DayReport
) -> CheckOutcome:
    rows, distinct = rows_and_distinct(day.summary)
    duplicated = rows - distinct
    return CheckOutcome(
        duplicated == 0,
        f"{counted(duplicated, 'row')} with a repeated event id",
        {"duplicate_rows": duplicated},
    )


def _every_created_at_parses(
    unparsed_of: Callable[[DaySummary], int], day: DayReport
) -> CheckOutcome:
    unparsed = unparsed_of(day.summary)
    return CheckOutcome(
        unparsed == 0, f"{unparsed} unreadable created_at", {"unparsed_created_at": unparsed}
    )


def _rows_match_commit_counts(day: DayReport) -> CheckOutcome:
    commit_rows, listed = day.summary.commits, day.summary.listed_commits
    return CheckOutcome(
        commit_rows == listed,
        f"{counted(commit_rows, 'commit row')}, {listed} listed by the pushes",
        {"commit_rows": commit_rows, "sum_of_commit_count": listed},
    )


HOURS_READ = "Every hour the manifest lists as present was read (none skipped unreadable)."
CHECKS = (
    DataCheck("all_published_hours_read", PUSH_EVENTS, HOURS_READ, _all_published_hours_read),
    DataCheck(
        "archive_has_the_day",
        PUSH_EVENTS,
        "The archive has at least one hourly file of the day. A day with all 24 hours missing "
        "does occur; it is built as an empty partition, and this check warns.",
        _archive_has_the_day,
        severity="warn",
    ),
    DataCheck(
        "damage_accounted_for",
        PUSH_EVENTS,
        "Every damaged push line gave recovered events or counted skipped fragments.",
        partial(_damage_accounted_for, lambda hour: hour),
    ),
    DataCheck(
        "no_duplicate_event_ids",
        PUSH_EVENTS,
        "Each event id occurs once in the day.",
        partial(_no_duplicate_event_ids, lambda day: (day.push_events, day.distinct_event_ids)),
    ),
    DataCheck(
        "every_created_at_parses",
        PUSH_EVENTS,
        "No push has an unreadable created_at.",
        partial(_every_created_at_parses, lambda day: day.unparsed_created_at),
    ),
    DataCheck(
        "rows_match_commit_counts",
        COMMITS,
        "Commit rows equal the sum of commit_count over the day's pushes.",
        _rows_match_commit_counts,
    ),
    DataCheck("all_published_hours_read", EVENTS, HOURS_READ, _all_published_hours_read),
    DataCheck(
        "damage_accounted_for",
        EVENTS,
        "Every damaged line gave recovered events or counted skipped fragments.",
        partial(_damage_accounted_for, lambda hour: hour.events_read),
    ),
    DataCheck(
        "no_duplicate_event_ids",
        EVENTS,
        "Each event id occurs once in the day.",
        partial(_no_duplicate_event_ids, lambda day: (day.events, day.distinct_events)),
    ),
    DataCheck(
        "every_created_at_parses",
        EVENTS,
        "No event has an unreadable created_at.",
        partial(_every_created_at_parses, lambda day: day.events_unparsed_created_at),
    ),
)
