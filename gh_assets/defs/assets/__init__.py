from gh_assets.defs.assets.api_commits import api_commits
from gh_assets.defs.assets.archive_tables import archive_tables
from gh_assets.defs.assets.manifest import gharchive_manifest
from gh_assets.defs.assets.repo_activity import repo_activity

__all__ = ["api_commits", "archive_tables", "gharchive_manifest", "repo_activity"]
