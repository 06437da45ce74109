"""The resources of a deployment, chosen from its settings (secrets never pass here)."""

from gh_assets.defs.resources.archive import ArchiveResource
from gh_assets.defs.resources.dask_cluster import CoiledConfig, DaskResource
from gh_assets.defs.resources.github import GitHubResource
from gh_assets.defs.resources.rebuild import RebuildResource
from gh_assets.defs.resources.storage import StorageResource
from gh_assets.settings import Settings

__all__ = [
    "ArchiveResource",
    "CoiledConfig",
    "DaskResource",
    "GitHubResource",
    "RebuildResource",
    "StorageResource",
    "resources_from",
]


def resources_from(settings: Settings) -> dict:
    """The archive, table storage, Dask cluster, GitHub API and rebuild policy that `settings`
    describe."""
    return {
        "archive": ArchiveResource(
            base_url=settings.source_url,
            s3_endpoint_url=settings.s3_endpoint_url,
            unreadable_files=settings.unreadable_files,
        ),
        "storage": StorageResource(url=settings.storage, s3_endpoint_url=settings.s3_endpoint_url),
        "dask": DaskResource(
            mode=settings.dask_mode,
            address=settings.dask_address,
            coiled_threshold=settings.coiled_threshold,
            coiled=CoiledConfig(**settings.coiled.model_dump()),
        ),
        "github": GitHubResource(
            api_url=settings.github_api_url,
            followed_repos=settings.api_commits_repos,
            concurrency=settings.github_api_concurrency,
            max_wait_seconds=settings.github_api_max_wait_seconds,
        ),
        "rebuild": RebuildResource(force=settings.force_rebuild),
    }
