"""What every run report is made of: figures and data checks, plain values for the Dagster layer.

A figure is a number, a text, Markdown, a link or a table's path (the Dagster layer turns each into
metadata: numbers are plotted, Markdown rendered, links clickable). A data check is declared once
(`DataCheck`: its name, table, description, severity and the rule that judges one day) and gives a
`CheckOutcome` per day; `run_outcome` judges a run from its days'.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from gh_assets.tables.catalogue import Table


class Markdown(NamedTuple):
    text: str


class Url(NamedTuple):
    url: str


class TablePath(NamedTuple):
    path: str


Figure = int | float | str | Markdown | Url | TablePath


@dataclass(frozen=True)
class CheckOutcome:
    """A check's verdict on one day: passed or not, one line saying why, and the figures."""

    passed: bool
    summary: str
    metadata: dict[str, Figure]


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """`count` with its noun agreeing: `1 push`, `2 pushes`, `0 rows`."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def run_outcome(outcomes: Mapping[str, CheckOutcome]) -> CheckOutcome:
    """The verdict on a run from its days' (by ISO day): failed if any day failed, naming it."""
    days = list(outcomes)
    failed = [day for day in days if not outcomes[day].passed]
    span = f"Run over {len(days)} days ({days[0]} to {days[-1]})"
    summary = (
        f"{span}: passed on every day"
        if not failed
        else f"{span}: failed on {len(failed)}: {', '.join(failed[:10])} "
        f"({failed[0]}: {outcomes[failed[0]].summary})"
    )
    return CheckOutcome(
        not failed, summary, {"run_days": len(days), "failed_days": ", ".join(failed) or "none"}
    )


@dataclass(frozen=True)
class DataCheck:
    """A data check of a table, declared once: the Dagster layer makes its spec and evaluations."""

    name: str
    table: Table
    description: str
    rule: Callable[[Any], CheckOutcome]  # judges one day's report (of the table's run report)
    severity: Literal["error", "warn"] = "error"
