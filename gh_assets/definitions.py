"""The project's one `Definitions`: assembly only."""

import dagster as dg

from gh_assets.assets import gharchive_manifest, push_events_and_commits
from gh_assets.jobs import daily_job
from gh_assets.resources import resources_from_env
from gh_assets.schedules import daily_schedule
from gh_assets.sensors import day_sensor

defs = dg.Definitions(
    assets=[gharchive_manifest, push_events_and_commits],
    jobs=[daily_job],
    schedules=[daily_schedule],
    sensors=[day_sensor],
    resources=resources_from_env(),
    executor=dg.in_process_executor,
)
