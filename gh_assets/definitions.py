"""The project's one `Definitions`: assembly only."""

import dagster as dg

from gh_assets.assets import gharchive_manifest, push_events_and_commits
from gh_assets.resources import resources_from_env

defs = dg.Definitions(
    assets=[gharchive_manifest, push_events_and_commits],
    resources=resources_from_env(),
    executor=dg.in_process_executor,
)
