"""A daily schedule: build yesterday (UTC) shortly after the archive publishes its last hour."""

import dagster as dg

from gh_assets.defs.jobs import daily_job

daily_schedule = dg.build_schedule_from_partitioned_job(
    daily_job,
    name="gharchive_daily_schedule",
    description=(
        "At 00:20 UTC, builds the day that just ended (its hour 23 is published about 5-10 "
        "minutes after midnight). It trusts the clock: a late hour is read as missing. The "
        "sensor gharchive_day_sensor waits for the archive to prove the day is over instead."
    ),
    hour_of_day=0,
    minute_of_hour=20,
    default_status=dg.DefaultScheduleStatus.STOPPED,
)
