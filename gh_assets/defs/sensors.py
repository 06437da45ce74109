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

import dagster as dg

from gh_assets.archive.completeness import ONE_DAY, days_to_request
from gh_assets.archive.names import FIRST_DAY
from gh_assets.defs.jobs import daily_job
from gh_assets.defs.resources.archive import ArchiveResource
from gh_assets.settings import variable

MAX_DAYS_PER_TICK = 3
# A tick must end within Dagster's sensor timeout (60 s by default), so its probes give up sooner
# than a run's downloads: an archive that does not answer fails the tick, naming the URL, and the
# next tick tries again from the same cursor.
PROBE_ATTEMPTS = 2
PROBE_TIMEOUT_SECONDS = 10.0


class InvalidSensorCursor(ValueError):
    """The sensor's cursor is not a day it can start from."""


def last_requested_day(cursor: str | None, first_day: dt.date | None, today: dt.date) -> dt.date:
    """The cursor's day; with no cursor, the day before `first_day` (default: yesterday)."""
    if not cursor:
        return (first_day or today - ONE_DAY) - ONE_DAY
    try:
        day = dt.date.fromisoformat(cursor)
    except ValueError:
        raise InvalidSensorCursor(
            f"the sensor's cursor is {cursor!r}, not a date: use YYYY-MM-DD, e.g. 2024-01-31"
        ) from None
    if day < FIRST_DAY - ONE_DAY:
        raise InvalidSensorCursor(
            f"the archive starts on {FIRST_DAY}; the sensor cannot be at {day}"
        )
    return day


def day_sensor_for(first_day: dt.date | None) -> dg.SensorDefinition:
    """The sensor; with no cursor it starts at `first_day` (GH_ASSETS_SENSOR_FIRST_DAY), else at
    yesterday."""

    @dg.sensor(
        name="gharchive_day_sensor",
        job=daily_job,
        minimum_interval_seconds=300,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description=(
            "Builds each UTC day once the archive has all 24 of its hours, or a later hour. Up to "
            f"{MAX_DAYS_PER_TICK} days a tick, in order; the cursor is the last day requested. "
            f"With no cursor it starts at {variable('sensor_first_day')}, else yesterday."
        ),
    )
    def day_sensor(
        context: dg.SensorEvaluationContext, archive: ArchiveResource
    ) -> dg.SensorResult:
        now = dt.datetime.now(dt.UTC)
        last_requested = last_requested_day(context.cursor, first_day, now.date())
        client = archive.client().for_probes(PROBE_ATTEMPTS, PROBE_TIMEOUT_SECONDS)
        file_exists = functools.cache(lambda filename: client.probe(filename).exists)
        days = days_to_request(last_requested, now, file_exists, MAX_DAYS_PER_TICK)
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
                dg.RunRequest(partition_key=day.isoformat(), run_key=day.isoformat())
                for day in days
            ],
            cursor=days[-1].isoformat(),
        )

    return day_sensor
