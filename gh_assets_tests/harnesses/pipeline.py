"""The pipeline as tests run it: resources for a test archive, storage and cluster; runs of days."""

import dagster as dg

from gh_assets.defs.assets import archive_tables, gharchive_manifest, repo_activity
from gh_assets.defs.resources import (
    ArchiveResource,
    DaskResource,
    RebuildResource,
    StorageResource,
)
from gh_assets_tests.harnesses.archive_mirror import ArchiveMirror


def pipeline_resources(
    source: ArchiveMirror | str,
    storage,
    dask: DaskResource,
    s3_endpoint_url: str | None = None,
    force_rebuild: bool = False,
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
        "rebuild": RebuildResource(force=force_rebuild),
    }


ASSETS = [gharchive_manifest, archive_tables, repo_activity]


def materialize_days(
    resources: dict, instance, first: str, last: str | None = None, assets=ASSETS, **kwargs
):
    """Materialize the three assets (or `assets`) for one day, or for a range of days as one
    run."""
    if last is None:
        return dg.materialize(
            assets, partition_key=first, resources=resources, instance=instance, **kwargs
        )
    tags = {"dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last}
    return dg.materialize(assets, resources=resources, instance=instance, tags=tags, **kwargs)


def metadata_of(result, asset: str) -> dict:
    """The metadata values of an asset's first materialization in a run."""
    [event] = [
        event
        for event in result.get_asset_materialization_events()
        if event.asset_key == dg.AssetKey(asset)
    ][:1]
    return {key: value.value for key, value in event.materialization.metadata.items()}


def run_observation_of(result, asset: str) -> dict:
    """The metadata values of the observation an asset's step made of the whole run."""
    [observation] = [
        event.event_specific_data.asset_observation
        for event in result.all_events
        if event.event_type == dg.DagsterEventType.ASSET_OBSERVATION
        and event.asset_key == dg.AssetKey(asset)
    ]
    return {key: value.value for key, value in observation.metadata.items()}
