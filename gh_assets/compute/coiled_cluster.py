"""A run's Coiled cluster: started from the team's options, adapting, always closed; and its cost.

Coiled's token stays in this process. `coiled.Cluster` ships a copy of the local dask config to
the cluster (`send_dask_config`, which also carries the workers' settings of `worker_config`), and
that copy would hold `coiled.token`. The connection to Coiled is therefore opened with the token
first, and the cluster is created while the config holds none. Coiled reads the token only when a
connection is opened, and its clusters run without one when no config is shipped at all.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

import dask

from gh_assets.compute.cluster_choice import ClusterStartError, WorkerRange
from gh_assets.compute.coiled_options import CoiledOptions
from gh_assets.compute.worker_config import WORKER_DASK_CONFIG
from gh_assets.compute.worker_usage import WorkerUsage

# When a cluster's record has no cloud cost, Coiled's own widget (coiled/v2/widgets/rich.py) shows
# this share of its `total_cost` as the approximate cloud cost; so does a run's metadata.
CLOUD_SHARE_OF_TOTAL_COST = 0.05


def has_coiled_token() -> bool:
    """Whether Coiled can find a token (DASK_COILED__TOKEN or its config file, as Coiled does)."""
    import coiled  # noqa: F401  (registers Coiled's dask config defaults)

    return bool(dask.config.get("coiled.token", None))


@contextmanager
def coiled_cluster(
    options: CoiledOptions, name: str, run_id: str, workers: WorkerRange
) -> Iterator:
    """A Coiled cluster of `workers.minimum` workers, adapting up to `workers.maximum` if the
    range allows; closed (and deleted by Coiled) when the block ends."""
    connection, cluster = _start(options.cluster_kwargs(name, run_id, workers.minimum))
    try:
        if workers.adaptive:
            cluster.adapt(minimum=workers.minimum, maximum=workers.maximum)
        yield cluster
    finally:
        try:
            cluster.close()
        finally:
            connection.close()


def _start(kwargs: dict) -> tuple:
    import coiled

    started = time.monotonic()
    connection = None
    try:
        connection = coiled.Cloud(token=dask.config.get("coiled.token"))
        with dask.config.set({**WORKER_DASK_CONFIG, "coiled.token": None}):
            return connection, coiled.Cluster(cloud=connection, **kwargs)
    except Exception as exc:
        if connection is not None:
            connection.close()
        raise ClusterStartError(
            f"the Coiled cluster {kwargs['name']} did not start after "
            f"{time.monotonic() - started:.0f}s: {type(exc).__name__}: {exc}"
        ) from exc


@dataclass(frozen=True)
class CoiledBill:
    """What Coiled says of a cluster: its VM types and its estimate of the cloud cost so far."""

    scheduler_vm_type: str | None
    worker_vm_types: tuple[str, ...]
    cloud_cost_usd: float | None


def coiled_bill(cluster) -> CoiledBill:
    """Ask Coiled about a running cluster. Its client has no public call for cost; the private
    one its own widget uses returns the cluster's whole record, TLS key included, so only the
    fields `bill_from_details` names are read from it."""
    details = cluster.cloud._get_cluster_details_synced(
        cluster_id=cluster.cluster_id, workspace=cluster.workspace
    )
    return bill_from_details(details)


def bill_from_details(details: Mapping) -> CoiledBill:
    scheduler = ((details.get("scheduler") or {}).get("instance") or {}).get("instance_type_id")
    worker_types = {
        (worker.get("instance") or {}).get("instance_type_id")
        for worker in details.get("workers") or []
    }
    cost = details.get("cloud_total_cost")
    if cost is None and details.get("total_cost") is not None:
        cost = details["total_cost"] * CLOUD_SHARE_OF_TOTAL_COST
    return CoiledBill(
        scheduler_vm_type=scheduler,
        worker_vm_types=tuple(sorted(kind for kind in worker_types if kind)),
        cloud_cost_usd=None if cost is None else float(cost),
    )


@dataclass(frozen=True)
class RunCost:
    usd: float
    basis: str


def run_cost(
    bill: CoiledBill | None, usage: WorkerUsage, worker_hourly_usd: float | None
) -> RunCost | None:
    """Coiled's own estimate when it gave one, else worker-minutes at the configured price."""
    if bill is not None and bill.cloud_cost_usd is not None:
        return RunCost(bill.cloud_cost_usd, "Coiled's estimate of the cluster's cloud cost")
    if worker_hourly_usd is None:
        return None
    return RunCost(
        usage.worker_minutes / 60 * worker_hourly_usd,
        f"estimate: {usage.worker_minutes:.1f} worker-minutes at ${worker_hourly_usd}/hour "
        "(workers only)",
    )
