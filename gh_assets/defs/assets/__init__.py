from gh_assets.defs.assets.api_commits import api_commits
from gh_assets.defs.assets.manifest import gharchive_manifest
from gh_assets.defs.assets.push_events import push_events_and_commits

__all__ = ["api_commits", "gharchive_manifest", "push_events_and_commits"]
