"""The pipeline as tests run it: resources for a test archive, storage and cluster; runs of days."""

import dagster as dg

from gh_assets.defs.assets import archive_tables, gharchive_manifest, repo_activity
from gh_assets.defs.resources import ArchiveResource, DaskResource, StorageResource
from gh_assets_tests.harnesses.archive_mirror import ArchiveMirror


def pipeline_resources(
    source: ArchiveMirror | str,
    storage,
    dask: DaskResource,
    s3_endpoint_url: str | None = None,
    **archive_settings,
) -> dict:
    """Resources for a test: the archive (a mirror, or the URL of a folder or bucket holding a
    copy), tables in a folder or s3:// URL (one endpoint for both, as in production), a cluster."""
    base_url = source if isinstance(source, str) else source.base_url
    fast = {"timeout_seconds": 2, "max_attempts": 4, "backoff_seconds": 0.01}
    return {
        "archive": ArchiveResource(
            base_url=base_url, s3_endpoint_url=s3_endpoint_url, **(fast | archive_settings)
        ),
        "storage": StorageResource(url=str(storage), s3_endpoint_url=s3_endpoint_url),
        "dask": dask,
    }


ASSETS = [gharchive_manifest, archive_tables, repo_activity]


def materialize_days(resources: dict, instance, first: str, last: str | None = None, **kwargs):
    """Materialize the three assets for one day, or for a range of days as one run."""
    if last is None:
        return dg.materialize(
            ASSETS, partition_key=first, resources=resources, instance=instance, **kwargs
        )
    tags = {"dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last}
    return dg.materialize(ASSETS, resources=resources, instance=instance, tags=tags, **kwargs)


def metadata_of(result, asset: str) -> dict:
    """The metadata values of an asset's first materialization in a run."""
    [event] = [
        event
        for event in result.get_asset_materialization_events()
        if event.asset_key == dg.AssetKey(asset)
    ][:1]
    return {key: value.value for key, value in event.materialization.metadata.items()}
