"""The summary a run on the command line ends with, and its exit status.

`dg launch` (and `dagster asset materialize`) print each event of the run, the checks' verdicts
as DEBUG lines among them, and exit 0 even when a check of ERROR severity failed on a day. In such
a process, the days its steps record (rows per table, hours missing) and the checks that failed
are noted here; when the command ends, its output ends with a line per day, and a failed ERROR
check makes its exit status 1. Runs launched by the webserver or the daemon are not on the
command line: nothing is noted or printed there.
"""

from __future__ import annotations

import atexit
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

COMMANDS = {("dg", "launch"), ("dagster", "materialize")}  # (program, a word of its arguments)


@dataclass
class DayNotes:
    rows: dict[str, int] = field(default_factory=dict)
    hours_missing: int | None = None
    failed: dict[str, str] = field(default_factory=dict)  # "asset.check": its severity


class CommandLineSummary:
    """The days of this process's run, and the checks that failed on them."""

    def __init__(self) -> None:
        self.days: dict[str, DayNotes] = {}

    def note_day(self, asset: str, day: str, metadata: Mapping[str, object]) -> None:
        notes = self.days.setdefault(day, DayNotes())
        figures = {key: getattr(value, "value", value) for key, value in metadata.items()}
        if isinstance(rows := figures.get("dagster/row_count"), int):
            notes.rows[asset] = rows
        if isinstance(missing := figures.get("hours_missing"), int):
            notes.hours_missing = missing

    def note_check(self, asset: str, name: str, severity: str, day: str, passed: bool) -> None:
        failed = self.days.setdefault(day, DayNotes()).failed
        if passed:
            failed.pop(f"{asset}.{name}", None)
        else:
            failed[f"{asset}.{name}"] = severity

    def lines(self) -> list[str]:
        lines = []
        for day, notes in sorted(self.days.items()):
            rows = ", ".join(f"{asset} {count:,}" for asset, count in notes.rows.items())
            missing = (
                "" if notes.hours_missing is None else f"; hours missing {notes.hours_missing}"
            )
            failed = ", ".join(f"{check} ({level})" for check, level in notes.failed.items())
            lines.append(
                f"{day}: {rows or 'no rows recorded'}{missing}; checks failed: {failed or 'none'}"
            )
        return lines

    @property
    def errors(self) -> int:
        return sum(
            level == "error" for notes in self.days.values() for level in notes.failed.values()
        )


def on_the_command_line(argv: Sequence[str]) -> bool:
    program = Path(argv[0]).name if argv else ""
    return any(program == name and word in argv[1:] for name, word in COMMANDS)


SUMMARY = CommandLineSummary()
_ACTIVE = on_the_command_line(sys.argv)


def note_day(asset: str, day: str, metadata: Mapping[str, object]) -> None:
    if _ACTIVE:
        SUMMARY.note_day(asset, day, metadata)


def note_check(asset: str, name: str, severity: str, day: str, passed: bool) -> None:
    if _ACTIVE:
        SUMMARY.note_check(asset, name, severity, day, passed)


def _print_at_exit() -> None:
    if not SUMMARY.days:
        return
    print("gh_assets: the run's days", file=sys.stderr)
    for line in SUMMARY.lines():
        print(f"  {line}", file=sys.stderr)
    if SUMMARY.errors:
        print(
            f"gh_assets: {SUMMARY.errors} check(s) of ERROR severity failed: exit status 1",
            file=sys.stderr,
        )
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(1)  # an exit handler cannot set the status otherwise


if _ACTIVE:
    atexit.register(_print_at_exit)
