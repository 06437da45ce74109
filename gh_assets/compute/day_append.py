"""A day the archive is not done with, grown by the hours published since it was last built.

Such a day (today, or a day whose last hours are late) is built from the hours it has so far and
recorded with the accounting of each hour it read (`EarlierHours`). The next run reads only the
hours that appeared since (`hours_to_append`) and joins their rows after the day's stored rows,
which are copied, not decoded (`day_publish.commit_day(append=True)`). An event repeated from an
earlier hour still leaves, so the complete day is row for row what one build of its hours gives.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

from gh_assets.archive.names import filename_hour
from gh_assets.compute.hour_transform import HourSummary
from gh_assets.reading.event_rows import EventsRead


@dataclass(frozen=True)
class EarlierHours:
    """What the builds of a partial day read so far: each hour file found, and per key table the
    repeated events their publishes dropped across files."""

    hours: tuple[HourSummary, ...]
    repeats_across_files: Mapping[str, int]

    def to_json(self) -> dict:
        return {
            "hours": [asdict(hour) for hour in self.hours],
            "repeats_across_files": dict(self.repeats_across_files),
        }

    @classmethod
    def from_json(cls, value: Mapping) -> EarlierHours:
        hours = tuple(
            HourSummary(**{**hour, "events_read": _events_read(hour.get("events_read"))})
            for hour in value["hours"]
        )
        return cls(hours, dict(value["repeats_across_files"]))


def _events_read(value: Mapping | None) -> EventsRead | None:
    return None if value is None else EventsRead(**value)


def with_earlier(hours: Sequence[HourSummary], earlier: EarlierHours) -> list[HourSummary]:
    """The hours read now after those read before, in hour order."""
    return sorted([*earlier.hours, *hours], key=lambda hour: filename_hour(hour.source_file))


def hours_to_append(built_from: Sequence[Mapping], now: Sequence[Mapping]) -> list[str] | None:
    """The files to read to bring a day built from the hour files `built_from` up to the hour
    files `now` (both as the manifest describes them, in hour order): those present now and not
    then. None when the day must be built again whole: an hour read then is described otherwise
    now, or one appeared before the last hour read then (its rows would come out of order)."""
    then = {hour["filename"]: hour for hour in built_from if hour["exists"]}
    last = max(map(filename_hour, then), default=-1)
    new = []
    for hour in now:
        name = hour["filename"]
        if name in then:
            if dict(hour) != dict(then[name]):
                return None
        elif hour["exists"]:
            if filename_hour(name) < last:
                return None
            new.append(name)
    return new
