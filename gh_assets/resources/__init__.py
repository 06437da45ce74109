"""The one place that chooses the resources, from the environment (secrets never pass here)."""

import os
from collections.abc import Mapping

from gh_assets.resources.archive import DEFAULT_SOURCE_URL, ArchiveResource
from gh_assets.resources.dask_cluster import DaskResource
from gh_assets.resources.storage import StorageResource

__all__ = ["ArchiveResource", "DaskResource", "StorageResource", "resources_from_env"]


def resources_from_env(env: Mapping[str, str] = os.environ) -> dict:
    """Resources configured by GH_ASSETS_* variables, with embedded defaults for each."""
    dask_settings = {
        field: env[name]
        for field, name in (
            ("mode", "GH_ASSETS_DASK_MODE"),
            ("address", "GH_ASSETS_DASK_ADDRESS"),
            ("coiled_threshold", "GH_ASSETS_COILED_THRESHOLD"),
        )
        if env.get(name)
    }
    return {
        "archive": ArchiveResource(base_url=env.get("GH_ASSETS_SOURCE_URL", DEFAULT_SOURCE_URL)),
        "storage": StorageResource(
            url=env.get("GH_ASSETS_STORAGE", "data"),
            s3_endpoint_url=env.get("GH_ASSETS_S3_ENDPOINT_URL") or None,
        ),
        "dask": DaskResource(**dask_settings),
    }
