"""The job that builds one day (or a range of days) of every table."""

import dagster as dg

from gh_assets.tables.catalogue import MANIFEST

daily_job = dg.define_asset_job(
    "gharchive_daily",
    selection=dg.AssetSelection.assets(MANIFEST.name).downstream(),
    description=(
        "Every table of the selected days: the manifest and all that is built from it (push "
        "events, commits, events, repo_activity, api_commits)."
    ),
)
