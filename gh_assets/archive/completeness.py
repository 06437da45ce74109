"""When the archive is done with a day: all 24 of its hours exist, or a later hour does.

The archive publishes hours in order and never backfills, so an hour still missing once a later one
exists is missing forever. Until then the hours after a day's last present one are pending: they
may still appear (today's hours that have not ended, or an hour the archive is late with).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence

from gh_assets.archive.names import day_filenames, hour_filename

MAX_GAP_HOURS = 7 * 24
ONE_DAY = dt.timedelta(days=1)
ONE_HOUR = dt.timedelta(hours=1)


def later_hour_filenames(day: dt.date, now: dt.datetime) -> Iterator[str]:
    """The files of the hours after `day` that have ended by `now` (UTC), oldest first.

    At most MAX_GAP_HOURS of them: the archive's longest known gap is about 55 hours.
    """
    hour_start = dt.datetime.combine(day + ONE_DAY, dt.time(), dt.UTC)
    for _ in range(MAX_GAP_HOURS):
        if hour_start + ONE_HOUR > now:
            return
        yield hour_filename(hour_start.date(), hour_start.hour)
        hour_start += ONE_HOUR


def day_is_complete(day: dt.date, now: dt.datetime, file_exists: Callable[[str], bool]) -> bool:
    """Whether the archive is done with `day`: a later hour exists, or all 24 of its hours do."""
    return any(map(file_exists, later_hour_filenames(day, now))) or all(
        map(file_exists, day_filenames(day))
    )


def day_is_done(
    day: dt.date,
    present: Sequence[bool],
    now: dt.datetime,
    file_exists: Callable[[str], bool],
) -> bool:
    """Whether the archive is done with `day`, whose 24 hours are `present` or not: all are, or
    the day ended more than MAX_GAP_HOURS ago, or a later hour exists (probed, oldest first)."""
    ended = dt.datetime.combine(day + ONE_DAY, dt.time(), dt.UTC)
    if all(present) or now - ended > dt.timedelta(hours=MAX_GAP_HOURS):
        return True
    return any(map(file_exists, later_hour_filenames(day, now)))


def pending_hours(present: Sequence[bool], done: bool) -> list[int]:
    """The hours (0-23) of a day that may still appear: after its last present hour, unless the
    archive is done with the day."""
    if done:
        return []
    last = max((hour for hour, exists in enumerate(present) if exists), default=-1)
    return list(range(last + 1, len(present)))


def days_to_request(
    last_requested: dt.date,
    now: dt.datetime,
    file_exists: Callable[[str], bool],
    limit: int,
) -> list[dt.date]:
    """The complete days after `last_requested`, in order, up to the first incomplete one.

    At most `limit` days, and none after the last UTC day that has ended by `now`.
    """
    last_ended = now.astimezone(dt.UTC).date() - ONE_DAY
    days: list[dt.date] = []
    day = last_requested + ONE_DAY
    while len(days) < limit and day <= last_ended and day_is_complete(day, now, file_exists):
        days.append(day)
        day += ONE_DAY
    return days


def new_hours(
    last_seen: dt.datetime, now: dt.datetime, file_exists: Callable[[str], bool], limit: int
) -> list[dt.datetime]:
    """The hours (their start, UTC) after `last_seen` that have ended by `now` and whose files
    exist, oldest first; at most `limit` hours are probed (a gap is stepped over)."""
    found = []
    hour = last_seen + ONE_HOUR
    for _ in range(limit):
        if hour + ONE_HOUR > now:
            break
        if file_exists(hour_filename(hour.date(), hour.hour)):
            found.append(hour)
        hour += ONE_HOUR
    return found
