"""The resources of a deployment, chosen from its settings (secrets never pass here)."""

from gh_assets.defs.resources.archive import ArchiveResource
from gh_assets.defs.resources.dask_cluster import CoiledConfig, DaskResource
from gh_assets.defs.resources.storage import StorageResource
from gh_assets.settings import Settings

__all__ = ["ArchiveResource", "CoiledConfig", "DaskResource", "StorageResource", "resources_from"]


def resources_from(settings: Settings) -> dict:
    """The archive, the table storage and the Dask cluster that `settings` describe."""
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
    }
