"""A sensor that builds each day as soon as the archive shows the day is complete.

A day is complete when all 24 of its hours exist, or when a later hour exists (the archive publishes
hours in order and never backfills, so an hour still missing then is missing forever). The sensor
walks forward one day at a time from its cursor, the ISO date of the last day it requested, and
requests each complete day with `run_key` = the partition key, so a day never runs twice; it stops
at the first day that is not complete, and never looks past the last UTC day that has ended.

With no cursor, the first day to watch is `GH_ASSETS_SENSOR_FIRST_DAY` or, by default, yesterday
(UTC): turning the sensor on keeps the tables current from now on, while history is a backfill
(one run over a range of days). To move it, set the cursor in the UI to the day before the next
day to build.
"""

import datetime as dt
import functools
import os
from collections.abc import Callable, Iterator

import dagster as dg

from gh_assets.archive import FIRST_DAY, day_filenames, hour_filename
from gh_assets.jobs import daily_job
from gh_assets.resources.archive import ArchiveResource

FIRST_DAY_SETTING = "GH_ASSETS_SENSOR_FIRST_DAY"
MAX_DAYS_PER_TICK = 3
MAX_GAP_HOURS = 7 * 24
ONE_DAY = dt.timedelta(days=1)
ONE_HOUR = dt.timedelta(hours=1)
# A tick must end within Dagster's sensor timeout (60 s by default), so its probes give up sooner
# than a run's downloads: an archive that does not answer fails the tick, naming the URL, and the
# next tick tries again from the same cursor.
PROBE_ATTEMPTS = 2
PROBE_TIMEOUT_SECONDS = 10.0


class InvalidSensorSetting(ValueError):
    """The sensor's cursor or first day is not a date it can start from."""


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


def days_to_request(
    last_requested: dt.date,
    now: dt.datetime,
    file_exists: Callable[[str], bool],
    limit: int = MAX_DAYS_PER_TICK,
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


def last_requested_day(cursor: str | None, first_day: str | None, today: dt.date) -> dt.date:
    """The cursor's day; with no cursor, the day before `first_day` (default: yesterday)."""
    if cursor:
        day = _parse_day(cursor, "the sensor's cursor")
    elif first_day:
        day = _parse_day(first_day, FIRST_DAY_SETTING) - ONE_DAY
    else:
        day = today - 2 * ONE_DAY
    if day < FIRST_DAY - ONE_DAY:
        raise InvalidSensorSetting(
            f"the archive starts on {FIRST_DAY}; the sensor cannot be at {day}"
        )
    return day


def _parse_day(text: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidSensorSetting(
            f"{what} is {text!r}, not a date: use YYYY-MM-DD, e.g. 2024-01-31"
        ) from None


@dg.sensor(
    name="gharchive_day_sensor",
    job=daily_job,
    minimum_interval_seconds=300,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description=(
        "Builds each UTC day once the archive has all 24 of its hours, or a later hour. Up to "
        f"{MAX_DAYS_PER_TICK} days a tick, in order; the cursor is the last day requested. "
        f"With no cursor it starts at {FIRST_DAY_SETTING}, else yesterday."
    ),
)
def day_sensor(context: dg.SensorEvaluationContext, archive: ArchiveResource) -> dg.SensorResult:
    now = dt.datetime.now(dt.UTC)
    last_requested = last_requested_day(
        context.cursor, os.environ.get(FIRST_DAY_SETTING), now.date()
    )
    client = archive.client().for_probes(PROBE_ATTEMPTS, PROBE_TIMEOUT_SECONDS)
    file_exists = functools.cache(lambda filename: client.probe(filename).exists)
    days = days_to_request(last_requested, now, file_exists)
    if not days:
        waiting_for = last_requested + ONE_DAY
        reason = (
            "has not ended yet (UTC)"
            if waiting_for >= now.date()
            else "is not complete in the archive yet (needs its 24 hours, or a later hour)"
        )
        return dg.SensorResult(
            skip_reason=f"{waiting_for} {reason}", cursor=last_requested.isoformat()
        )
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(partition_key=day.isoformat(), run_key=day.isoformat()) for day in days
        ],
        cursor=days[-1].isoformat(),
    )
