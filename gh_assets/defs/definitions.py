"""The project's one `Definitions`: assembly only."""

import dagster as dg

from gh_assets.defs import command_line_errors
from gh_assets.defs.assets import api_commits, archive_tables, gharchive_manifest, repo_activity
from gh_assets.defs.assets.freshness import archive_lag_check, freshness_policy
from gh_assets.defs.hour_sensor import hour_sensor
from gh_assets.defs.jobs import daily_job
from gh_assets.defs.partitions import backfill_policy_for
from gh_assets.defs.resources import resources_from
from gh_assets.defs.schedules import daily_schedule
from gh_assets.defs.sensors import day_sensor_for
from gh_assets.settings import Settings, current_settings

ASSETS = (gharchive_manifest, archive_tables, repo_activity, api_commits)


def definitions_for(settings: Settings) -> dg.Definitions:
    """The deployment's definitions, all built from its settings: the resources, the backfill
    policy, the sensor's first day, and how fresh the tables should be."""
    policy = backfill_policy_for(settings.max_partitions_per_run)
    assets = [asset.with_attributes(backfill_policy=policy) for asset in ASSETS]
    checks = []
    if settings.freshness_hours:
        fresh = freshness_policy(settings.freshness_hours)
        assets = dg.map_asset_specs(
            lambda spec: spec.replace_attributes(freshness_policy=fresh), assets
        )
        checks = [archive_lag_check(settings.freshness_hours)]
    return dg.Definitions(
        assets=assets,
        asset_checks=checks,
        jobs=[daily_job],
        schedules=[daily_schedule],
        sensors=[day_sensor_for(settings.sensor_first_day), hour_sensor],
        resources=resources_from(settings),
        executor=dg.in_process_executor,
    )


command_line_errors.install()
defs = definitions_for(current_settings())
