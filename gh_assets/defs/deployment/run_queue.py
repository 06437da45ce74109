"""The deployment's run queue: Dagster's queued run coordinator with this project's limits.

Each run is tagged when it is submitted (from the UI, a backfill, the sensor, the schedule or a
retry) with the cluster it will get (`gh_assets/cluster`: the same choice its Dask resource makes,
from the same settings and the run's config), with the days it covers (`gh_assets/days`) and with
its retry budget. The queue then lets at most `GH_ASSETS_MAX_COILED_RUNS` Coiled runs and a share
of the slots per backfill run at once, and never two runs that share a day, be they single days or
ranges: tag limits only count equal values, so each time the daemon looks at the queue, the day
spans of the queued runs that overlap a running one, or one queued before them, get a limit of 0.
The daemon asks for those limits before it reads the queue: a run of days queued in between
would escape them, so it waits (`gh_assets/queue_seen: false`, limit 0) until a look has counted
it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from dagster._core.run_coordinator import QueuedRunCoordinator, SubmitRunContext
from dagster._core.storage.dagster_run import (
    ACTIVE_RUN_STATUSES,
    DagsterRun,
    DagsterRunStatus,
    RunsFilter,
)
from dagster._core.storage.tags import BACKFILL_ID_TAG, MAX_RETRIES_TAG

from gh_assets.compute.cluster_choice import ClusterConfigError
from gh_assets.defs.resources import DaskResource, resources_from
from gh_assets.defs.resources.dask_cluster import run_day_count, run_day_span
from gh_assets.settings import Settings, current_settings

CLUSTER_TAG = "gh_assets/cluster"
DAYS_TAG = "gh_assets/days"  # "2016-05-01", or "2016-05-01...2016-05-31"
SEEN_TAG = "gh_assets/queue_seen"  # "false" until the queue's limits were computed with the run
RUNS_PER_BACKFILL = 2  # so that a long backfill leaves room for the sensor's and the UI's runs


def queue_limits(settings: Settings) -> list[dict[str, Any]]:
    """The tag limits the queue applies besides those of dagster.yaml."""
    return [
        {"key": CLUSTER_TAG, "value": "coiled", "limit": settings.max_coiled_runs},
        {"key": SEEN_TAG, "value": "false", "limit": 0},
        {"key": DAYS_TAG, "value": {"applyLimitPerUniqueValue": True}, "limit": 1},
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
    if span := run_day_span(run.tags):
        tags[DAYS_TAG] = days_value(*span)
        tags[SEEN_TAG] = "false"
    days = run_day_count(run.tags)
    if days is not None:
        resources = resources_from(settings)
        dask = _with_run_config(resources["dask"], run.run_config)
        with contextlib.suppress(ClusterConfigError, ValueError):
            tags[CLUSTER_TAG] = dask.choose(days, resources["storage"].storage()).mode
    return tags


def unseen(queued: Iterable[DagsterRun]) -> list[DagsterRun]:
    """The queued runs that no look at the queue has counted in its limits yet."""
    return [run for run in queued if run.tags.get(SEEN_TAG) == "false"]


def days_value(first: dt.date, last: dt.date) -> str:
    return first.isoformat() if first == last else f"{first}...{last}"


def overlap_limits(queued: Iterable[DagsterRun], running: Iterable[DagsterRun]) -> list[dict]:
    """A limit of 0 for each day span of `queued` (in the order they were queued) that shares a
    day with a `running` run's span or with a span queued before it. The first queued span only
    waits for running runs, so every run is started in turn; runs of one span are one at a time
    by the per-value limit of `queue_limits`."""
    taken = [span for run in running if (span := run_day_span(run.tags))]
    limits, seen = [], set()
    for run in queued:
        span, value = run_day_span(run.tags), run.tags.get(DAYS_TAG)
        if span is None or value is None or value in seen:
            continue
        seen.add(value)
        if any(span[0] <= last and first <= span[1] for first, last in taken):
            limits.append({"key": DAYS_TAG, "value": value, "limit": 0})
        taken.append(span)
    return limits


def _with_run_config(dask: DaskResource, run_config: Mapping[str, Any]) -> DaskResource:
    """The Dask resource as a run's config changes it (the UI's launchpad may set its mode)."""
    override = run_config.get("resources", {}).get("dask", {}).get("config", {})
    return DaskResource(**{**dask.model_dump(), **override}) if override else dask


class RunQueue(QueuedRunCoordinator):
    """`QueuedRunCoordinator` with `queue_limits` and `overlap_limits` added to the configured
    ones, and `queue_tags` on every run it enqueues."""

    def get_run_queue_config(self):
        """Asked by the daemon before each look at the queue."""
        config = super().get_run_queue_config()
        runs = self._instance.get_runs(
            RunsFilter(statuses=[DagsterRunStatus.QUEUED, *ACTIVE_RUN_STATUSES]), ascending=True
        )
        queued = [run for run in runs if run.status == DagsterRunStatus.QUEUED]
        running = [run for run in runs if run.status != DagsterRunStatus.QUEUED]
        limits = [
            *config.tag_concurrency_limits,
            *queue_limits(current_settings()),
            *overlap_limits(queued, running),
        ]
        for run in unseen(queued):  # counted in these limits: free to start when they allow it
            self._instance.add_run_tags(run.run_id, {SEEN_TAG: "true"})
        return config._replace(tag_concurrency_limits=limits)

    def submit_run(self, context: SubmitRunContext) -> DagsterRun:
        run = context.dagster_run
        if tags := queue_tags(run, current_settings()):
            self._instance.add_run_tags(run.run_id, tags)
        return super().submit_run(context)
