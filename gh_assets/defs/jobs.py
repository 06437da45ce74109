"""The job that builds one day (or a range of days) of every table."""

import dagster as dg

from gh_assets.defs.partitions import daily_partitions
from gh_assets.tables.catalogue import COMMITS, MANIFEST, PUSH_EVENTS

daily_job = dg.define_asset_job(
    "gharchive_daily",
    selection=dg.AssetSelection.assets(*(table.name for table in (MANIFEST, PUSH_EVENTS, COMMITS))),
    partitions_def=daily_partitions,
    description="The manifest, push events and commits of the selected days.",
)
