"""The archive's eras: which JSON shape events of a day have (readers decide by keys, not dates)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

Era = Literal["legacy", "timeline", "events", "slim"]
ERAS: tuple[Era, ...] = ("legacy", "timeline", "events", "slim")
PACIFIC = ZoneInfo("America/Los_Angeles")  # the timeline era's clock, and its files' names


def era_of(day: date) -> Era:
    """The format the archive used on a day."""
    if day < date(2012, 3, 11):
        return "legacy"
    if day < date(2015, 1, 1):
        return "timeline"
    return "events" if day < date(2025, 10, 7) else "slim"


def is_modern(created_at: datetime) -> bool:
    """Whether Events-API objects have their later fields (display_login, node_id, reviewers)."""
    return created_at.year >= 2017
