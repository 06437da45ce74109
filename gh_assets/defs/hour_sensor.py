"""A sensor that keeps today's partition fresh: a run of the day each time a new hour appears.

Each tick probes the hours after its cursor, the start (UTC, ISO) of the newest hour it has seen,
up to the last hour that has ended, and requests a run of each day that has new hours, with
`run_key` = the day and its newest hour, so an hour never runs twice. When the first hour of a
day appears, the day before is done (its missing hours never come): it gets the run that records
it complete. A day whose run is still queued or running is left to the next tick (its hours stay
new), so the sensor never starts two writers of a day under `make dev`; under `make serve` the run
queue keeps them apart as well. With no cursor it starts at today's first hour.
"""

import datetime as dt

import dagster as dg

from gh_assets.archive.completeness import ONE_HOUR, new_hours
from gh_assets.defs.jobs import daily_job
from gh_assets.defs.resources.archive import ArchiveResource
from gh_assets.defs.sensors import PROBE_ATTEMPTS, PROBE_TIMEOUT_SECONDS

HOURS_PROBED_PER_TICK = 24
UNFINISHED = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]


def last_seen_hour(cursor: str | None, now: dt.datetime) -> dt.datetime:
    """The cursor's hour; with none, the hour before today's first."""
    if cursor:
        return dt.datetime.fromisoformat(cursor)
    return dt.datetime.combine(now.date(), dt.time(), dt.UTC) - ONE_HOUR


def days_to_run(last_seen: dt.datetime, hours: list[dt.datetime]) -> dict[dt.date, str]:
    """Each day with new `hours` (and the day of `last_seen`, done once a later day has an
    hour), with its run key: the day and its newest hour, or `done`."""
    days = {hour.date(): f"{hour.date()}-{hour.hour}" for hour in hours}
    if hours and last_seen.date() not in days and hours[-1].date() > last_seen.date():
        days[last_seen.date()] = f"{last_seen.date()}-done"
    return dict(sorted(days.items()))


@dg.sensor(
    name="gharchive_hour_sensor",
    job=daily_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description=(
        "Keeps today's (UTC) partition fresh: a run of the day each time the archive publishes a "
        "new hour (run_key: day and hour), and the run that completes yesterday after midnight. "
        "A day whose run is still going waits for the next tick. The cursor is the newest hour "
        "seen."
    ),
)
def hour_sensor(context: dg.SensorEvaluationContext, archive: ArchiveResource) -> dg.SensorResult:
    now = dt.datetime.now(dt.UTC)
    last_seen = last_seen_hour(context.cursor, now)
    client = archive.client().for_probes(PROBE_ATTEMPTS, PROBE_TIMEOUT_SECONDS)
    hours = new_hours(last_seen, now, lambda name: client.probe(name).exists, HOURS_PROBED_PER_TICK)
    if not hours:
        return dg.SensorResult(
            skip_reason=f"no hour after {last_seen:%Y-%m-%d %H}:00 UTC is published yet",
            cursor=last_seen.isoformat(),
        )
    days = days_to_run(last_seen, hours)
    busy = [day for day in days if _has_unfinished_run(context.instance, day)]
    if busy:  # that day's new hours wait for the next tick, and so do the later days'
        days = {day: key for day, key in days.items() if day < busy[0]}
        hours = [hour for hour in hours if hour.date() < busy[0]]
    if not days:
        return dg.SensorResult(
            skip_reason=f"a run of {busy[0]} is still going: its new hours wait for it",
            cursor=last_seen.isoformat(),
        )
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(partition_key=day.isoformat(), run_key=key) for day, key in days.items()
        ],
        cursor=(hours[-1] if hours else last_seen).isoformat(),
    )


def _has_unfinished_run(instance: dg.DagsterInstance, day: dt.date) -> bool:
    runs = instance.get_run_records(
        dg.RunsFilter(tags={"dagster/partition": day.isoformat()}, statuses=UNFINISHED), limit=1
    )
    return bool(runs)
