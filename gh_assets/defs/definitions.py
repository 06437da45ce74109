"""The project's one `Definitions`: assembly only."""

import dagster as dg

from gh_assets.defs.assets import api_commits, archive_tables, gharchive_manifest, repo_activity
from gh_assets.defs.jobs import daily_job
from gh_assets.defs.resources import resources_from
from gh_assets.defs.schedules import daily_schedule
from gh_assets.defs.sensors import day_sensor
from gh_assets.settings import Settings, current_settings


def definitions_for(settings: Settings) -> dg.Definitions:
    """The deployment's definitions, with the resources its settings describe."""
    return dg.Definitions(
        assets=[gharchive_manifest, archive_tables, repo_activity, api_commits],
        jobs=[daily_job],
        schedules=[daily_schedule],
        sensors=[day_sensor],
        resources=resources_from(settings),
        executor=dg.in_process_executor,
    )


defs = definitions_for(current_settings())
