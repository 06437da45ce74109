"""A daily schedule: build yesterday (UTC) shortly after the archive publishes its last hour."""

import datetime as dt

import dagster as dg

from gh_assets.defs.jobs import daily_job


@dg.schedule(
    name="gharchive_daily_schedule",
    cron_schedule="20 0 * * *",
    execution_timezone="UTC",
    job=daily_job,
    description=(
        "At 00:20 UTC, builds the day that just ended (its hour 23 is published about 5-10 "
        "minutes after midnight). It trusts the clock: a late hour is read as missing. The "
        "sensor gharchive_day_sensor waits for the archive to prove the day is over instead."
    ),
    default_status=dg.DefaultScheduleStatus.STOPPED,
)
def daily_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    ended = context.scheduled_execution_time.astimezone(dt.UTC).date() - dt.timedelta(days=1)
    return dg.RunRequest(partition_key=ended.isoformat())
