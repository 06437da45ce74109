"""What a run's Coiled cluster cost: Coiled's own figure when it gives one, else our estimate."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from gh_assets.compute.worker_usage import WorkerUsage

# When a cluster's record has no cloud cost, Coiled's own widget (coiled/v2/widgets/rich.py) shows
# this share of its `total_cost` as the approximate cloud cost; so does a run's metadata.
CLOUD_SHARE_OF_TOTAL_COST = 0.05
COILED_ESTIMATE = "Coiled's estimate of the cluster's cloud cost"
WIDGET_APPROXIMATION = (
    f"{CLOUD_SHARE_OF_TOTAL_COST:.0%} of Coiled's total cost, the approximation Coiled's widget "
    "shows when the cluster's record has no cloud cost"
)


@dataclass(frozen=True)
class CoiledBill:
    """What Coiled says of a cluster: its VM types and its estimate of the cloud cost so far."""

    scheduler_vm_type: str | None
    worker_vm_types: tuple[str, ...]
    cloud_cost_usd: float | None
    cost_basis: str | None = None  # where cloud_cost_usd comes from


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
    cost, basis = details.get("cloud_total_cost"), COILED_ESTIMATE
    if cost is None and details.get("total_cost") is not None:
        cost, basis = details["total_cost"] * CLOUD_SHARE_OF_TOTAL_COST, WIDGET_APPROXIMATION
    return CoiledBill(
        scheduler_vm_type=scheduler,
        worker_vm_types=tuple(sorted(kind for kind in worker_types if kind)),
        cloud_cost_usd=None if cost is None else float(cost),
        cost_basis=None if cost is None else basis,
    )


@dataclass(frozen=True)
class RunCost:
    usd: float
    basis: str


def run_cost(
    bill: CoiledBill | None, usage: WorkerUsage, worker_hourly_usd: float | None
) -> RunCost | None:
    """Coiled's own figure when it gave one (its estimate, or its widget's approximation), else
    worker-minutes at the configured price."""
    if bill is not None and bill.cloud_cost_usd is not None:
        return RunCost(bill.cloud_cost_usd, bill.cost_basis)
    if worker_hourly_usd is None:
        return None
    return RunCost(
        usage.worker_minutes / 60 * worker_hourly_usd,
        f"estimate: {usage.worker_minutes:.1f} worker-minutes at ${worker_hourly_usd}/hour "
        "(workers only)",
    )
