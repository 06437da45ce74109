"""Which Dask cluster a run gets, decided from the number of days it materializes."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

Mode = Literal["auto", "local", "coiled", "address"]
MODES: tuple[str, ...] = ("auto", "local", "coiled", "address")


class ClusterConfigError(ValueError):
    """The cluster settings cannot work together; the message says how to fix them."""


@dataclass(frozen=True)
class ClusterChoice:
    mode: Literal["local", "coiled", "address"]
    reason: str
    warning: str | None = None


def choose_cluster(
    mode: str, partition_count: int, coiled_threshold: int, coiled_configured: bool
) -> ClusterChoice:
    """Resolve `auto`: Coiled above the threshold when Coiled has credentials, else local."""
    if mode not in MODES:
        raise ClusterConfigError(f"GH_ASSETS_DASK_MODE={mode!r} is not one of {', '.join(MODES)}")
    if mode != "auto":
        return ClusterChoice(mode, f"mode={mode} was asked for")
    if partition_count <= coiled_threshold:
        return ClusterChoice(
            "local", f"{partition_count} day(s) <= coiled_threshold={coiled_threshold}"
        )
    if coiled_configured:
        return ClusterChoice(
            "coiled", f"{partition_count} days > coiled_threshold={coiled_threshold}"
        )
    return ClusterChoice(
        "local",
        f"{partition_count} days > coiled_threshold={coiled_threshold}, but Coiled has no token",
        warning=(
            "running on a local cluster: to use Coiled for large runs, run `coiled login` "
            "or set DASK_COILED__TOKEN in the environment of the Dagster process"
        ),
    )


def scaled_workers(partition_count: int, minimum: int, maximum: int, days_per_worker: float) -> int:
    """Workers for a run: one per `days_per_worker` days, between `minimum` and `maximum`."""
    wanted = math.ceil(partition_count / days_per_worker)
    return max(minimum, min(maximum, wanted))
