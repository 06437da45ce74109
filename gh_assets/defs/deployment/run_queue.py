"""The deployment's run queue: Dagster's queued run coordinator with this project's limits.

Each run is tagged when it is submitted (from the UI, a backfill, the sensor, the schedule or a
retry) with the cluster it will get (`gh_assets/cluster`: the same choice its Dask resource makes,
from the same settings and the run's config) and with its retry budget; the queue then lets at most
`GH_ASSETS_MAX_COILED_RUNS` Coiled runs, one run per single-day partition and a share of the
slots per backfill run at once.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

from dagster._core.run_coordinator import QueuedRunCoordinator, SubmitRunContext
from dagster._core.storage.dagster_run import DagsterRun
from dagster._core.storage.tags import BACKFILL_ID_TAG, MAX_RETRIES_TAG, PARTITION_NAME_TAG

from gh_assets.compute.cluster_choice import ClusterConfigError
from gh_assets.defs.resources import DaskResource, resources_from
from gh_assets.defs.resources.dask_cluster import run_day_count
from gh_assets.settings import Settings, current_settings

CLUSTER_TAG = "gh_assets/cluster"
RUNS_PER_BACKFILL = 2  # so that a long backfill leaves room for the sensor's and the UI's runs


def queue_limits(settings: Settings) -> list[dict[str, Any]]:
    """The tag limits the queue applies besides those of dagster.yaml."""
    return [
        {"key": CLUSTER_TAG, "value": "coiled", "limit": settings.max_coiled_runs},
        {"key": PARTITION_NAME_TAG, "value": {"applyLimitPerUniqueValue": True}, "limit": 1},
        {
            "key": BACKFILL_ID_TAG,
            "value": {"applyLimitPerUniqueValue": True},
            "limit": RUNS_PER_BACKFILL,
        },
    ]


def queue_tags(run: DagsterRun, settings: Settings) -> dict[str, str]:
    """The tags a run gets in the queue: its cluster (none when its days are unknown or its
    settings cannot work, in which case it fails before any cluster starts) and its retries."""
    tags = {} if MAX_RETRIES_TAG in run.tags else {MAX_RETRIES_TAG: str(settings.run_retries)}
    days = run_day_count(run.tags)
    if days is not None:
        resources = resources_from(settings)
        dask = _with_run_config(resources["dask"], run.run_config)
        with contextlib.suppress(ClusterConfigError, ValueError):
            tags[CLUSTER_TAG] = dask.choose(days, resources["storage"].storage()).mode
    return tags


def _with_run_config(dask: DaskResource, run_config: Mapping[str, Any]) -> DaskResource:
    """The Dask resource as a run's config changes it (the UI's launchpad may set its mode)."""
    override = run_config.get("resources", {}).get("dask", {}).get("config", {})
    return DaskResource(**{**dask.model_dump(), **override}) if override else dask


class RunQueue(QueuedRunCoordinator):
    """`QueuedRunCoordinator` with `queue_limits` added to the configured ones, and `queue_tags`
    on every run it enqueues."""

    def get_run_queue_config(self):
        config = super().get_run_queue_config()
        limits = [*config.tag_concurrency_limits, *queue_limits(current_settings())]
        return config._replace(tag_concurrency_limits=limits)

    def submit_run(self, context: SubmitRunContext) -> DagsterRun:
        run = context.dagster_run
        if tags := queue_tags(run, current_settings()):
            self._instance.add_run_tags(run.run_id, tags)
        return super().submit_run(context)
