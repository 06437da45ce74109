"""What a run did, from its day and hour summaries: each table's figures and each data check.

The report is plain values (numbers, Markdown, links); the Dagster layer turns them into metadata
and check results. A check is declared once here: its name, its table, what it says, its rule.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

from gh_assets.compute.run_graph import DayResult
from gh_assets.tables.catalogue import COMMITS, PUSH_EVENTS, Table

MAX_LISTED = 200  # files named in a Markdown list
MAX_DAYS_LISTED = 62  # days in a table of paths


class Markdown(NamedTuple):
    text: str


class Url(NamedTuple):
    url: str


Figure = int | float | str | Markdown | Url


@dataclass(frozen=True)
class RunReport:
    """A run's days, and the files each day's manifest lists as present (by ISO day)."""

    days: tuple[DayResult, ...]
    present_files: Mapping[str, frozenset[str]]

    @cached_property
    def hours(self):
        return [hour for day in self.days for hour in day.hours]

    @cached_property
    def found(self):
        """Hours the archive has."""
        return [hour for hour in self.hours if hour.found]

    @cached_property
    def summaries(self):
        return [day.summary for day in self.days]

    def figures(self, table: Table) -> dict[str, Figure]:
        """The figures of one table, for its materialization."""
        return {PUSH_EVENTS.name: self._push_figures, COMMITS.name: self._commit_figures}[
            table.name
        ]()

    def _row_count(self, rows: Callable) -> dict[str, Figure]:
        """The partition's row count, for a one-day run; a range run's figures are run totals.

        Dagster records one materialization's metadata on every partition of a range run, so a
        per-partition row count would be wrong there; `days_in_run` says which kind a figure is.
        """
        if len(self.days) == 1:
            return {"dagster/row_count": rows(self.summaries[0]), "days_in_run": 1}
        return {"days_in_run": len(self.days)}

    def _push_figures(self) -> dict[str, Figure]:
        days, found = self.summaries, self.found
        read = [hour for hour in found if hour.read]
        damaged = [hour.source_file for hour in found if hour.damaged]
        workers = Counter(hour.worker for hour in found)
        return {
            **self._row_count(lambda day: day.push_events),
            "bytes_written": sum(day.push_events_bytes for day in days),
            "files_read": len(read),
            "hours_missing": len(self.hours) - len(found),
            "unreadable_files": len(found) - len(read),
            "bytes_downloaded": sum(hour.compressed_bytes for hour in found),
            "lines_read": sum(hour.lines for hour in found),
            "events": sum(hour.events for hour in found),
            "push_events": sum(day.push_events for day in days),
            "commits": sum(day.commits for day in days),
            "pushes_without_commit_list": sum(day.pushes_without_commit_list for day in days),
            "duplicates_dropped": sum(hour.duplicates_dropped for hour in found)
            + sum(day.duplicates_across_files for day in days),
            "damaged_lines": sum(hour.damaged_lines for hour in found),
            "objects_recovered": sum(hour.objects_recovered for hour in found),
            "fragments_skipped": sum(hour.fragments_skipped for hour in found),
            "nul_runs": sum(hour.nul_runs for hour in found),
            "damaged_hours": len(damaged),
            "unparsed_created_at": sum(day.unparsed_created_at for day in days),
            "read_retries": sum(hour.read_retries for hour in found),
            "worker_processes": Markdown(
                "\n".join(f"- `{worker}`: {files} files" for worker, files in workers.items())
            ),
            "damaged_files": _file_list(damaged),
            "paths": self._paths(lambda day: (day.push_events, day.push_events_path)),
            "top_repos": self._top_repos(),
        }

    def _commit_figures(self) -> dict[str, Figure]:
        return {
            **self._row_count(lambda day: day.commits),
            "bytes_written": sum(day.commits_bytes for day in self.summaries),
            "paths": self._paths(lambda day: (day.commits, day.commits_path)),
        }

    def _paths(self, rows_and_path: Callable) -> Markdown:
        lines = ["| day | rows | path |", "|---|---:|---|"]
        for day in self.summaries[:MAX_DAYS_LISTED]:
            rows, path = rows_and_path(day)
            lines.append(f"| {day.day} | {rows} | `{path}` |")
        return Markdown("\n".join(lines))

    def _top_repos(self) -> Markdown:
        """The most pushed-to repositories of the run's last day, as a Markdown table."""
        day = self.summaries[-1]
        lines = [f"Top repositories by pushes on {day.day}", "", "| repo | pushes |", "|---|---:|"]
        lines += [f"| {repo} | {pushes} |" for repo, pushes in day.top_repos]
        return Markdown("\n".join(lines))


def _file_list(names: list[str]) -> Markdown:
    return Markdown("\n".join(f"- `{name}`" for name in names[:MAX_LISTED]) or "none")


@dataclass(frozen=True)
class CheckOutcome:
    passed: bool
    metadata: dict[str, Figure]


@dataclass(frozen=True)
class DataCheck:
    """A data check of a table, declared once: the Dagster layer makes its spec and result."""

    name: str
    table: Table
    description: str
    rule: Callable[[RunReport], CheckOutcome]


def _all_published_hours_read(report: RunReport) -> CheckOutcome:
    unread = sorted(
        name
        for day in report.days
        for name in report.present_files.get(day.summary.day.isoformat(), frozenset())
        - {hour.source_file for hour in day.hours if hour.read}
    )
    return CheckOutcome(
        not unread, {"unread_files": len(unread), "first_unread": ", ".join(unread[:10])}
    )


def _damage_accounted_for(report: RunReport) -> CheckOutcome:
    unaccounted = sorted(
        hour.source_file
        for hour in report.hours
        if hour.damaged_lines > hour.objects_recovered + hour.fragments_skipped
    )
    return CheckOutcome(not unaccounted, {"files": ", ".join(unaccounted[:10]) or "none"})


def _no_duplicate_event_ids(report: RunReport) -> CheckOutcome:
    duplicated = sum(day.push_events - day.distinct_event_ids for day in report.summaries)
    return CheckOutcome(duplicated == 0, {"duplicate_rows": duplicated})


def _every_created_at_parses(report: RunReport) -> CheckOutcome:
    unparsed = sum(day.unparsed_created_at for day in report.summaries)
    return CheckOutcome(unparsed == 0, {"unparsed_created_at": unparsed})


def _rows_match_commit_counts(report: RunReport) -> CheckOutcome:
    commit_rows = sum(day.commits for day in report.summaries)
    listed = sum(day.listed_commits for day in report.summaries)
    return CheckOutcome(
        commit_rows == listed, {"commit_rows": commit_rows, "sum_of_commit_count": listed}
    )


CHECKS = (
    DataCheck(
        "all_published_hours_read",
        PUSH_EVENTS,
        "Every hour the manifest lists as present was read (none skipped unreadable).",
        _all_published_hours_read,
    ),
    DataCheck(
        "damage_accounted_for",
        PUSH_EVENTS,
        "Every damaged line gave recovered events or counted skipped fragments.",
        _damage_accounted_for,
    ),
    DataCheck(
        "no_duplicate_event_ids",
        PUSH_EVENTS,
        "Each event id occurs once in the day.",
        _no_duplicate_event_ids,
    ),
    DataCheck(
        "every_created_at_parses",
        PUSH_EVENTS,
        "No push has an unreadable created_at.",
        _every_created_at_parses,
    ),
    DataCheck(
        "rows_match_commit_counts",
        COMMITS,
        "Commit rows equal the sum of commit_count over the day's pushes.",
        _rows_match_commit_counts,
    ),
)
