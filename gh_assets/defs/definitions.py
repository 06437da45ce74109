"""The project's one `Definitions`: assembly only."""

import dagster as dg

from gh_assets.defs.assets import gharchive_manifest, push_events_and_commits
from gh_assets.defs.jobs import daily_job
from gh_assets.defs.resources import resources_from
from gh_assets.defs.schedules import daily_schedule
from gh_assets.defs.sensors import day_sensor
from gh_assets.settings import current_settings

defs = dg.Definitions(
    assets=[gharchive_manifest, push_events_and_commits],
    jobs=[daily_job],
    schedules=[daily_schedule],
    sensors=[day_sensor],
    resources=resources_from(current_settings()),
    executor=dg.in_process_executor,
)
