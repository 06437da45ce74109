"""The one place that chooses the resources, from the environment (secrets never pass here).

Each setting is checked here, so that a wrong value stops the code location from loading with one
line that names the variable and says what it takes, before any run starts.
"""

import os
from collections.abc import Mapping

from gh_assets.archive import validate_source_url
from gh_assets.cluster_choice import MODES
from gh_assets.resources.archive import DEFAULT_SOURCE_URL, UNREADABLE_POLICIES, ArchiveResource
from gh_assets.resources.dask_cluster import DaskResource
from gh_assets.resources.storage import StorageResource
from gh_assets.storage import validate_storage_url

__all__ = [
    "ArchiveResource",
    "DaskResource",
    "SettingsError",
    "StorageResource",
    "resources_from_env",
]


class SettingsError(ValueError):
    """A GH_ASSETS_* variable has a value the pipeline cannot use."""


def resources_from_env(env: Mapping[str, str] = os.environ) -> dict:
    """Resources configured by GH_ASSETS_* variables, with embedded defaults for each."""
    source_url = env.get("GH_ASSETS_SOURCE_URL") or DEFAULT_SOURCE_URL
    storage_url = env.get("GH_ASSETS_STORAGE") or "data"
    mode = env.get("GH_ASSETS_DASK_MODE") or "auto"
    address = env.get("GH_ASSETS_DASK_ADDRESS") or None
    threshold = env.get("GH_ASSETS_COILED_THRESHOLD") or "7"
    unreadable = env.get("GH_ASSETS_UNREADABLE_FILES") or "fail"
    endpoint = env.get("GH_ASSETS_S3_ENDPOINT_URL") or None
    try:
        validate_source_url(source_url)
        validate_storage_url(storage_url)
    except ValueError as exc:
        raise SettingsError(str(exc)) from None
    if mode not in MODES:
        raise SettingsError(f"GH_ASSETS_DASK_MODE={mode!r} is not one of {', '.join(MODES)}")
    if mode == "address" and not address:
        raise SettingsError(
            "GH_ASSETS_DASK_MODE=address needs GH_ASSETS_DASK_ADDRESS, e.g. tcp://10.0.0.5:8786"
        )
    if not threshold.isdigit() or int(threshold) < 1:
        raise SettingsError(
            f"GH_ASSETS_COILED_THRESHOLD={threshold!r} must be a whole number of days >= 1"
        )
    if unreadable not in UNREADABLE_POLICIES:
        raise SettingsError(
            f"GH_ASSETS_UNREADABLE_FILES={unreadable!r} is not one of "
            + ", ".join(UNREADABLE_POLICIES)
        )
    return {
        "archive": ArchiveResource(
            base_url=source_url, s3_endpoint_url=endpoint, unreadable_files=unreadable
        ),
        "storage": StorageResource(url=storage_url, s3_endpoint_url=endpoint),
        "dask": DaskResource(mode=mode, address=address, coiled_threshold=int(threshold)),
    }
