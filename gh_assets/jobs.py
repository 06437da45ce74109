"""The job that builds one day (or a range of days) of every table."""

import dagster as dg

from gh_assets.assets.manifest import MANIFEST
from gh_assets.day_commit import COMMITS, PUSH_EVENTS
from gh_assets.partitions import daily_partitions

daily_job = dg.define_asset_job(
    "gharchive_daily",
    selection=dg.AssetSelection.assets(MANIFEST, PUSH_EVENTS, COMMITS),
    partitions_def=daily_partitions,
    description="The manifest, push events and commits of the selected days.",
)
